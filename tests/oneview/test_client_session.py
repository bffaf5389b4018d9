"""Login, re-login, logout and credential hygiene of OneViewClient, against the simulator."""

from __future__ import annotations

import logging
import threading

import pytest

from networking_oneview.oneview import (
    OneViewAuthenticationError,
    OneViewError,
    OneViewServerError,
)

NETWORKS = "/rest/ethernet-networks"
LOGIN = "/rest/login-sessions"


def test_logs_in_lazily_on_first_use(sim, make_client, requests_to):
    client = make_client()
    assert requests_to("POST", LOGIN) == 0

    client.get_all(NETWORKS)

    assert requests_to("GET", "/rest/version") == 1
    assert requests_to("POST", LOGIN) == 1
    assert sim.appliance.sessions.count() == 1
    client.get_all(NETWORKS)
    assert requests_to("POST", LOGIN) == 1


def test_logs_in_again_once_after_sessions_are_revoked(sim, client, requests_to):
    client.get_all(NETWORKS)
    sim.appliance.sessions.revoke_all()

    names = {n["name"] for n in client.get_all(NETWORKS)}

    assert "provisioning" in names
    assert requests_to("POST", LOGIN) == 2
    statuses = [r["status"] for r in sim.appliance.request_log if r["path"] == NETWORKS]
    assert statuses == [200, 401, 200]


def test_concurrent_callers_share_one_relogin(sim, client, requests_to):
    client.get_all(NETWORKS)
    sim.appliance.sessions.revoke_all()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            client.get_all(NETWORKS)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert requests_to("POST", LOGIN) == 2


def test_second_401_after_relogin_raises_authentication_error(client, inject, requests_to):
    client.get_all(NETWORKS)
    inject(path=NETWORKS, method="GET", error_rate=1.0, error_status=401, times=2)

    with pytest.raises(OneViewAuthenticationError) as caught:
        client.get_all(NETWORKS)

    assert caught.value.status == 401
    assert requests_to("POST", LOGIN) == 2
    assert requests_to("GET", NETWORKS) == 3


def test_wrong_password_raises_authentication_error_without_the_password(
    sim, make_client, caplog, secret
):
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-Pa55word-e91f"
    client = make_client(password=wrong)

    with pytest.raises(OneViewAuthenticationError) as caught:
        client.get(NETWORKS)

    error = caught.value
    assert error.status == 401
    assert error.error_code == "AUTHN_AUTH_FAIL"
    assert "POST /rest/login-sessions" in str(error)
    for text in (str(error), repr(error), caplog.text, repr(client), repr(client.settings)):
        assert wrong not in text
        assert secret not in text
    assert error.__cause__ is None and error.__context__ is None


def test_wrong_password_is_not_retried(sim, make_client, requests_to):
    client = make_client(password="not-it")
    with pytest.raises(OneViewAuthenticationError):
        client.get(NETWORKS)
    assert requests_to("POST", LOGIN) == 1


def test_close_logs_out_and_closes(sim, make_client, requests_to):
    client = make_client()
    client.get_all(NETWORKS)
    assert sim.appliance.sessions.count() == 1

    client.close()

    assert sim.appliance.sessions.count() == 0
    assert requests_to("DELETE", LOGIN) == 1
    with pytest.raises(OneViewError, match="closed"):
        client.get_all(NETWORKS)
    client.close()  # idempotent
    assert requests_to("DELETE", LOGIN) == 1


def test_context_manager_logs_out(sim, make_client, requests_to):
    with make_client() as client:
        client.get_all(NETWORKS)
    assert sim.appliance.sessions.count() == 0
    assert requests_to("DELETE", LOGIN) == 1


def test_close_without_login_sends_nothing(sim, make_client):
    make_client().close()
    assert sim.appliance.request_log == []


def test_password_never_in_logs_reprs_or_errors(sim, make_client, inject, caplog, secret):
    caplog.set_level(logging.DEBUG)
    client = make_client(max_retries=1)
    client.get_all(NETWORKS)
    sim.appliance.sessions.revoke_all()
    client.get_all(NETWORKS)  # a re-login
    inject(path=NETWORKS, method="GET", error_rate=1.0, error_status=503)
    with pytest.raises(OneViewServerError) as caught:
        client.get_all(NETWORKS)
    client.close()

    texts = [caplog.text, repr(client), repr(client.settings), str(caught.value)]
    texts.append(repr(caught.value))
    texts += [str(record.args) for record in caplog.records]
    for text in texts:
        assert secret not in text
    assert "Logged in to OneView" in caplog.text


def test_a_forked_child_uses_its_own_connections(client, sim):
    import os

    client.get("/rest/version")
    parent_pool = client._transport.http
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: must open its own keep-alive connection
        try:
            client.get("/rest/version")
            ok = client._transport.http is not parent_pool
        except Exception:
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    assert os.read(read, 1) == b"1"
    assert client._transport.http is parent_pool
    assert client.get("/rest/version")["currentVersion"] == 8600
