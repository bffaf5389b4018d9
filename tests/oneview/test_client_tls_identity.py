"""A certificate for another host name, an expired or a not yet valid one: a clear TLS error,
at once, naming the appliance and what to fix, and no credential ever sent."""

from __future__ import annotations

import datetime
import time

import pytest

from networking_oneview.oneview import OneViewTLSError
from oneview_simulator import tls

pytestmark = pytest.mark.hostile

NETWORKS = "/rest/ethernet-networks"
LOCAL = ("127.0.0.1", "localhost")


def days_from_now(days: int) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)


def tls_failure(make_client, server) -> OneViewTLSError:
    """The error of the first request, which must come at once (TLS errors are not retried)."""
    client = make_client(server=server, max_retries=4, retry_backoff=1.0)
    started = time.monotonic()
    with pytest.raises(OneViewTLSError) as caught:
        client.get_all(NETWORKS)
    assert time.monotonic() - started < 2
    return caught.value


def assert_nothing_sent(server) -> None:
    """The handshake failed before any HTTP request: no login, no password."""
    assert server.appliance.request_log == []
    assert server.appliance.sessions.count() == 0


def test_certificate_for_another_host_name_fails_at_once_and_sends_nothing(
    make_client, start_server, secret
):
    server = start_server(cert_hostnames=("oneview.example.invalid",))
    error = tls_failure(make_client, server)
    text = str(error)
    assert server.url in text
    assert "is not issued for '127.0.0.1'" in text
    assert "manager_url" in text
    assert secret not in text + repr(error)
    assert_nothing_sent(server)


def test_expired_certificate_fails_at_once_and_sends_nothing(
    make_client, start_server, tmp_path, secret
):
    expired = tls.generate(
        LOCAL, tmp_path, not_before=days_from_now(-30), not_after=days_from_now(-1)
    )
    server = start_server(certificate=expired)
    error = tls_failure(make_client, server)
    text = str(error)
    assert server.url in text
    assert "certificate has expired" in text
    assert "renew it on the appliance" in text
    assert "tls_cacert_file" not in text  # the CA is right; pointing there would mislead
    assert secret not in text + repr(error)
    assert_nothing_sent(server)


def test_not_yet_valid_certificate_fails_at_once_and_sends_nothing(
    make_client, start_server, tmp_path
):
    future = tls.generate(LOCAL, tmp_path, not_before=days_from_now(2), not_after=days_from_now(30))
    server = start_server(certificate=future)
    error = tls_failure(make_client, server)
    assert "not yet valid" in str(error)
    assert "check this host's clock" in str(error)
    assert_nothing_sent(server)
