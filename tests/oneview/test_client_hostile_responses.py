"""Hostile answers from the appliance end in a typed error naming the request, in bounded time.

The simulator mangles its own answers (docs/simulator.md, hostile answers); each test checks
the error type, that its text names the request and what was wrong, how long it took, and that
neither the password nor a session ID shows up in it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from networking_oneview.oneview import (
    OneViewAuthenticationError,
    OneViewError,
    OneViewTaskTimeout,
    OneViewUnavailable,
    OneViewUnexpectedResponse,
)
from networking_oneview.oneview.transport import MAX_BODY_BYTES

pytestmark = pytest.mark.hostile

NETWORKS = "/rest/ethernet-networks"
LOGIN = "/rest/login-sessions"
NEW_NETWORK = {"name": "hostile", "vlanId": 321, "ethernetNetworkType": "Tagged"}


@contextmanager
def fails_within(seconds: float, error: type[OneViewError]) -> Iterator[pytest.ExceptionInfo]:
    """The block raises ``error`` within ``seconds`` (a behavioural bound, not a benchmark)."""
    started = time.monotonic()
    with pytest.raises(error) as caught:
        yield caught
    took = time.monotonic() - started
    assert took < seconds, f"{error.__name__} after {took:.2f}s, bound {seconds}s"


@pytest.fixture
def no_secrets_in(sim, secret: str) -> Callable[[BaseException], None]:
    """Neither the password nor any session ID of the appliance appears in the error."""

    def check(error: BaseException) -> None:
        for text in (str(error), repr(error)):
            assert secret not in text
            for token in sim.appliance.sessions.tokens():
                assert token not in text

    return check


# -- bodies that are not JSON -------------------------------------------------------------------


def test_malformed_listing_is_an_unexpected_response_naming_the_request(
    client, inject, no_secrets_in
):
    inject(path=NETWORKS, method="GET", body="malformed")
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    text = str(caught.value)
    assert f"GET {NETWORKS}" in text
    assert "not JSON" in text
    no_secrets_in(caught.value)


def test_truncated_listing_is_an_unexpected_response(client, inject, no_secrets_in):
    inject(path=NETWORKS, method="GET", body="truncated")
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert "not JSON" in str(caught.value)
    no_secrets_in(caught.value)


def test_unexpected_responses_are_not_retried(client, inject, requests_to):
    inject(path=NETWORKS, method="GET", body="malformed")
    with pytest.raises(OneViewUnexpectedResponse):
        client.get_all(NETWORKS)
    assert requests_to("GET", NETWORKS) == 1


def test_truncated_login_answer_does_not_leak_the_session_id(sim, client, inject, no_secrets_in):
    inject(path=LOGIN, method="POST", body="truncated")
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert f"POST {LOGIN}" in str(caught.value)
    assert sim.appliance.sessions.tokens()  # the appliance did make a session
    no_secrets_in(caught.value)


def test_malformed_version_answer_is_an_unexpected_response(client, inject):
    inject(path="/rest/version", method="GET", body="malformed")
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert "GET /rest/version" in str(caught.value)


# -- fields missing or of the wrong type -------------------------------------------------------


def test_listing_without_members_is_not_read_as_empty(client, inject, no_secrets_in):
    inject(path=NETWORKS, method="GET", drop_fields=["members"])
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    text = str(caught.value)
    assert f"GET {NETWORKS}" in text
    assert "no 'members', expected a list" in text
    no_secrets_in(caught.value)


def test_members_as_a_string_is_an_unexpected_response(client, inject):
    inject(path=NETWORKS, method="GET", set_fields={"members": "net-1,net-2"})
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_by_name(NETWORKS, "provisioning")
    assert "'members' is a string, expected a list" in str(caught.value)


def test_member_that_is_not_an_object_is_an_unexpected_response(client, inject):
    inject(path=NETWORKS, method="GET", set_fields={"members": [{"name": "a"}, 7]})
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert "member 1 of the listing page is a number, expected an object" in str(caught.value)


def test_next_page_uri_of_the_wrong_type_is_an_unexpected_response(client, inject):
    inject(path=NETWORKS, method="GET", set_fields={"nextPageUri": 2})
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert "'nextPageUri' is a number, expected a string" in str(caught.value)


def test_version_without_current_version_is_an_unexpected_response(client, inject):
    inject(path="/rest/version", method="GET", drop_fields=["currentVersion"])
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert "no 'currentVersion', expected an integer" in str(caught.value)


def test_session_id_of_the_wrong_type_is_an_unexpected_response(client, inject, no_secrets_in):
    inject(path=LOGIN, method="POST", set_fields={"sessionID": 12345})
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert "'sessionID' is a number, expected a string" in str(caught.value)
    assert "12345" not in str(caught.value)  # values are never quoted, only their types
    no_secrets_in(caught.value)


def test_session_id_that_cannot_be_a_header_is_an_unexpected_response(client, inject):
    inject(path=LOGIN, method="POST", set_fields={"sessionID": "abc\r\nX-Injected: 1"})
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    assert "not a printable ASCII token" in str(caught.value)
    assert "X-Injected" not in str(caught.value)


def test_empty_session_id_is_an_authentication_error(client, inject):
    inject(path=LOGIN, method="POST", set_fields={"sessionID": ""})
    with fails_within(5, OneViewAuthenticationError) as caught:
        client.get_all(NETWORKS)
    assert "no sessionID" in str(caught.value)


def test_task_state_of_the_wrong_type_fails_at_once_not_at_the_deadline(client, inject):
    inject(path=NETWORKS, method="POST", set_fields={"taskState": 7})
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.create(NETWORKS, NEW_NETWORK)
    text = str(caught.value)
    assert f"POST {NETWORKS}" in text
    assert "'taskState' is a number, expected a string" in text


def test_polled_task_without_uri_is_an_unexpected_response(client, inject):
    inject(path="/rest/tasks/*", method="GET", drop_fields=["uri"], plan_task_duration=0.2)
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.create(NETWORKS, NEW_NETWORK)
    text = str(caught.value)
    assert "GET /rest/tasks/" in text
    assert "no 'uri', expected a string" in text


def test_task_resource_of_the_wrong_type_is_an_unexpected_response(client, inject):
    inject(
        path="/rest/tasks/*",
        method="GET",
        set_fields={"associatedResource": "net"},
        plan_task_duration=0.1,
    )
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.create(NETWORKS, NEW_NETWORK)
    assert "'associatedResource' is a string, expected an object" in str(caught.value)


def test_task_errors_of_the_wrong_type_are_an_unexpected_response(client, inject):
    inject(
        path="/rest/tasks/*",
        method="GET",
        set_fields={"taskErrors": "it broke"},
        plan_task_failure_rate=1.0,
        plan_task_duration=0.1,
    )
    with fails_within(5, OneViewUnexpectedResponse) as caught:
        client.create(NETWORKS, NEW_NETWORK, natural_key=None)
    assert "'taskErrors' is a string, expected a list" in str(caught.value)


def test_error_body_of_the_wrong_shape_still_gives_its_typed_error(client, inject):
    inject(
        path=NETWORKS,
        method="GET",
        error_rate=1.0,
        error_status=400,
        set_fields={"recommendedActions": "retry", "nestedErrors": "x", "message": 9},
    )
    with fails_within(5, OneViewError) as caught:
        client.get_all(NETWORKS)
    assert caught.value.status == 400
    assert caught.value.recommended_actions == []
    assert caught.value.nested_errors == []


# -- huge bodies ----------------------------------------------------------------------------


def test_huge_body_is_refused_at_the_size_cap(client, inject, no_secrets_in):
    inject(path=NETWORKS, method="GET", body="huge", body_bytes=MAX_BODY_BYTES * 2)
    with fails_within(20, OneViewUnexpectedResponse) as caught:
        client.get_all(NETWORKS)
    text = str(caught.value)
    assert f"GET {NETWORKS}" in text
    assert f"over {MAX_BODY_BYTES // 2**20} MiB" in text
    no_secrets_in(caught.value)


def test_answers_read_within_the_cap_keep_the_connection_alive(client, inject):
    """Streaming for the cap must not cost a new TLS connection per request."""
    client.get_all(NETWORKS)  # connected and logged in
    inject(plan_connect_latency=0.5)  # each new connection would cost half a second
    started = time.monotonic()
    for _ in range(5):
        client.get_all(NETWORKS)
    assert time.monotonic() - started < 0.5


def test_client_works_on_after_a_huge_body(client, inject):
    inject(path=NETWORKS, method="GET", body="huge", times=1)
    with pytest.raises(OneViewUnexpectedResponse):
        client.get_all(NETWORKS)
    assert client.get_by_name(NETWORKS, "provisioning") is not None


# -- endless tasks and silent servers --------------------------------------------------------


def test_endless_task_times_out_at_the_task_deadline(inject, make_client):
    client = make_client(polling_interval=0.05, max_polling_attempts=20)  # 1 s deadline
    inject(path=NETWORKS, method="POST", endless_task=True)
    with fails_within(3, OneViewTaskTimeout) as caught:
        client.create(NETWORKS, NEW_NETWORK)
    assert "still Running" in str(caught.value)
    assert caught.value.waited >= 1.0


def test_server_that_never_answers_fails_within_the_timeouts(make_client, trap, secret):
    # Trap accepts the TCP connection and never completes the TLS handshake.
    client = make_client(
        manager_url=trap.url.replace("http://", "https://"),
        connect_timeout=0.5,
        read_timeout=0.5,
        max_retries=1,
    )
    with fails_within(3 * 2 * (0.5 + 0.5), OneViewUnavailable) as caught:
        client.get_all(NETWORKS)
    text = str(caught.value)
    assert "connect_timeout=0.5s" in text
    assert "gave up after 2 attempts" in text
    # max_retries + 1 connections, not (max_retries + 1) squared: the version request inside
    # the listing's retry loop does not retry on its own as well.
    assert trap.connections == 2
    assert secret.encode() not in trap.received


def test_answer_slower_than_read_timeout_fails_within_it(make_client, inject, requests_to):
    client = make_client(read_timeout=0.5, max_retries=1)
    client.get_all(NETWORKS)  # logged in
    inject(path=NETWORKS, method="GET", latency=2.0)
    with fails_within(3 * 2 * 0.5, OneViewUnavailable) as caught:
        client.get_all(NETWORKS)
    assert "read_timeout=0.5s" in str(caught.value)
