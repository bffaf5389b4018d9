"""Certificate checking of OneViewClient over real TLS to the simulator."""

from __future__ import annotations

import logging

import certifi
import pytest
import trustme

from networking_oneview.oneview import OneViewTLSError

NETWORKS = "/rest/ethernet-networks"


@pytest.fixture
def foreign_ca_file(tmp_path) -> str:
    """A CA that did not sign the simulator's certificate."""
    path = tmp_path / "other-ca.pem"
    trustme.CA(organization_name="Somebody else").cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def env_ca_bundle(monkeypatch):
    # requests lets REQUESTS_CA_BUNDLE override a session-level verify; the client must not.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())


def test_right_ca_file_verifies_the_appliance(sim, make_client, env_ca_bundle):
    client = make_client()
    assert {n["name"] for n in client.get_all(NETWORKS)} >= {"provisioning"}


def test_wrong_ca_file_raises_tls_error(sim, make_client, foreign_ca_file, requests_to):
    client = make_client(tls_cacert_file=foreign_ca_file)

    with pytest.raises(OneViewTLSError) as caught:
        client.get_all(NETWORKS)

    text = str(caught.value)
    assert "tls_cacert_file" in text
    assert "allow_insecure_connections" in text
    assert foreign_ca_file in text
    assert sim.appliance.request_log == []  # refused before any HTTP exchange


def test_system_ca_store_does_not_trust_the_appliance(sim, make_client, env_ca_bundle):
    client = make_client(tls_cacert_file=None)
    with pytest.raises(OneViewTLSError, match="tls_cacert_file"):
        client.get_all(NETWORKS)


def test_certificate_for_another_host_raises_tls_error(make_client, start_server):
    server = start_server(cert_hostnames=("oneview.invalid",))
    client = make_client(server=server)

    with pytest.raises(OneViewTLSError) as caught:
        client.get_all(NETWORKS)

    text = str(caught.value)
    assert "mismatch" in text
    assert "127.0.0.1" in text
    assert "manager_url" in text
    assert "tls_cacert_file" in text
    assert "allow_insecure_connections" in text
    assert server.appliance.request_log == []


def test_tls_errors_are_not_retried(make_client, foreign_ca_file, caplog):
    caplog.set_level(logging.WARNING)
    client = make_client(tls_cacert_file=foreign_ca_file, max_retries=3)
    with pytest.raises(OneViewTLSError):
        client.get_all(NETWORKS)
    assert not [r for r in caplog.records if "retry" in r.getMessage()]


def test_insecure_connection_works_and_warns(
    sim, make_client, foreign_ca_file, env_ca_bundle, caplog
):
    caplog.set_level(logging.WARNING)
    client = make_client(allow_insecure_connections=True, tls_cacert_file=foreign_ca_file)

    assert {n["name"] for n in client.get_all(NETWORKS)} >= {"provisioning"}

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "DISABLED" in warnings[0].getMessage()
    assert "allow_insecure_connections" in warnings[0].getMessage()


def test_missing_ca_file_is_reported_by_option_name(make_client, tmp_path):
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(OneViewTLSError, match="tls_cacert_file") as caught:
        make_client(tls_cacert_file=missing)
    assert missing in str(caught.value)
