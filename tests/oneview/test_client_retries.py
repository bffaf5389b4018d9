"""Bounded retries of OneViewClient, and creates that never duplicate, against the simulator."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from networking_oneview.oneview import (
    OneViewConflict,
    OneViewNotFound,
    OneViewRequestError,
    OneViewServerError,
    OneViewUnavailable,
)

NETWORKS = "/rest/ethernet-networks"


def network(name: str, vlan: int = 100) -> dict:
    return {"name": name, "vlanId": vlan, "ethernetNetworkType": "Tagged"}


def networks_named(client, name: str) -> list[dict]:
    return [n for n in client.get_all(NETWORKS) if n["name"] == name]


def test_retries_through_injected_503s(client, inject, requests_to, caplog):
    client.get_all(NETWORKS, filters=["name='nothing'"])  # log in before faults start
    inject(path=f"{NETWORKS}*", method="GET", error_rate=1.0, error_status=503, times=2)
    caplog.set_level(logging.WARNING)

    members = client.get_all(NETWORKS)

    assert {m["name"] for m in members} >= {"provisioning"}
    assert requests_to("GET", NETWORKS) == 1 + 3
    retries = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == 2
    assert all("GET /rest/ethernet-networks" in m and "HTTP 503" in m for m in retries)


def test_gives_up_with_server_error_when_retries_are_exhausted(make_client, inject, requests_to):
    client = make_client(max_retries=2)
    inject(path=f"{NETWORKS}*", method="GET", error_rate=1.0, error_status=502)

    with pytest.raises(OneViewServerError) as caught:
        client.get_all(NETWORKS)

    assert requests_to("GET", NETWORKS) == 3
    assert caught.value.status == 502
    assert caught.value.attempts == 3
    assert "GET /rest/ethernet-networks" in str(caught.value)
    assert "SIMULATED_SERVER_ERROR" in str(caught.value)
    assert "3 attempts" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(400, OneViewRequestError), (404, OneViewNotFound), (409, OneViewConflict)],
)
def test_never_retries_a_4xx(client, inject, requests_to, status, error_type):
    client.api_version  # noqa: B018 - negotiate before the fault is armed
    inject(path=f"{NETWORKS}*", method="GET", error_rate=1.0, error_status=status)

    with pytest.raises(error_type) as caught:
        client.get_all(NETWORKS)

    assert caught.value.status == status
    assert requests_to("GET", NETWORKS) == 1


def test_server_error_not_worth_retrying_is_not_retried(client, inject, requests_to):
    inject(path=f"{NETWORKS}*", method="GET", error_rate=1.0, error_status=501)
    with pytest.raises(OneViewServerError):
        client.get_all(NETWORKS)
    assert requests_to("GET", NETWORKS) == 1


def test_retries_through_connection_resets(client, inject, requests_to):
    client.get_all(NETWORKS)
    inject(path=f"{NETWORKS}*", method="GET", reset_rate=1.0, times=2)

    members = client.get_all(NETWORKS)

    assert {m["name"] for m in members} >= {"provisioning"}
    assert requests_to("GET", NETWORKS) == 1 + 3


def test_gives_up_with_unavailable_when_resets_persist(make_client, inject):
    client = make_client(max_retries=1)
    client.get_all(NETWORKS)
    inject(path=f"{NETWORKS}*", method="GET", reset_rate=1.0)
    with pytest.raises(OneViewUnavailable) as caught:
        client.get_all(NETWORKS)
    assert caught.value.attempts == 2
    assert "GET /rest/ethernet-networks" in str(caught.value)


def test_unreachable_appliance_raises_unavailable(make_client, requests_to):
    with socket.socket() as probe:  # a port that nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(manager_url=f"https://127.0.0.1:{port}", max_retries=1)

    with pytest.raises(OneViewUnavailable) as caught:
        client.get_all(NETWORKS)

    assert caught.value.attempts == 2
    assert "GET /rest/version" in str(caught.value)


@pytest.mark.parametrize("failure", [{"error_rate": 1.0, "error_status": 503}, {"reset_rate": 1.0}])
def test_create_retried_after_a_failure_before_commit_makes_one(
    client, inject, requests_to, failure
):
    client.get_all(NETWORKS)
    inject(path=NETWORKS, method="POST", times=1, **failure)

    created = client.create(NETWORKS, network("retry-me"), kind="ethernet-network")

    assert created["name"] == "retry-me"
    assert requests_to("POST", NETWORKS) == 2
    assert [n["uri"] for n in networks_named(client, "retry-me")] == [created["uri"]]


def test_create_retried_after_commit_does_not_duplicate(client, make_client, inject, requests_to):
    # The appliance committed the POST but the answer was lost (a 5xx from a proxy, say): model
    # it by creating the network first, then failing the client's POST with 503.
    committed = make_client().create(NETWORKS, network("committed"))
    inject(path=NETWORKS, method="POST", error_rate=1.0, error_status=503, times=1)
    posts_before = requests_to("POST", NETWORKS)

    created = client.create(NETWORKS, network("committed"))

    assert created["uri"] == committed["uri"]
    assert requests_to("POST", NETWORKS) == posts_before + 1  # never sent again
    assert len(networks_named(client, "committed")) == 1


def test_create_of_an_existing_name_returns_the_existing_resource(client, requests_to):
    first = client.create(NETWORKS, network("twice"))
    second = client.create(NETWORKS, network("twice", vlan=100))
    assert second["uri"] == first["uri"]
    assert len(networks_named(client, "twice")) == 1
    assert requests_to("POST", NETWORKS) == 2  # the second was refused as a duplicate


def test_create_without_natural_key_is_not_resent_after_a_5xx(client, inject, requests_to):
    client.get_all(NETWORKS)
    inject(path=NETWORKS, method="POST", error_rate=1.0, error_status=503, times=1)
    with pytest.raises(OneViewServerError):
        client.create(NETWORKS, network("no-key"), natural_key=None)
    assert requests_to("POST", NETWORKS) == 1


def test_delete_retried_after_commit_counts_as_deleted(client, make_client, inject, requests_to):
    created = client.create(NETWORKS, network("doomed"))
    make_client().delete(created["uri"])  # the first attempt's effect
    inject(path=created["uri"], method="DELETE", error_rate=1.0, error_status=503, times=1)

    client.delete(created["uri"])

    assert requests_to("DELETE", created["uri"]) == 1 + 2


def test_delete_of_a_missing_resource_raises_not_found(client):
    with pytest.raises(OneViewNotFound):
        client.delete(f"{NETWORKS}/00000000-0000-0000-0000-000000000000")


def test_update_with_a_stale_etag_raises_conflict_once(client, requests_to):
    created = client.create(NETWORKS, network("etag"))
    fresh = client.update({**created, "vlanId": 101})
    assert fresh["vlanId"] == 101
    assert fresh["eTag"] != created["eTag"]

    with pytest.raises(OneViewConflict) as caught:
        client.update({**created, "vlanId": 102})

    assert caught.value.status == 412
    assert requests_to("PUT", created["uri"]) == 2
    assert client.get(created["uri"])["vlanId"] == 101


def test_read_timeout_is_enforced_and_retried(make_client, inject, caplog):
    client = make_client(read_timeout=0.2)
    client.get_all(NETWORKS)
    inject(path=NETWORKS, method="GET", latency=0.6, times=1)
    caplog.set_level(logging.WARNING)

    started = time.monotonic()
    members = client.get_all(NETWORKS)

    assert time.monotonic() - started < 0.6
    assert {m["name"] for m in members} >= {"provisioning"}
    assert any("read_timeout=0.2s" in r.getMessage() for r in caplog.records)


def test_create_after_a_read_timeout_does_not_duplicate(make_client, inject):
    # The first POST is still being processed when the client gives up on it; the retry creates
    # the network and the late first POST is refused as a duplicate by the appliance.
    client = make_client(read_timeout=0.2)
    client.get_all(NETWORKS)
    inject(path=NETWORKS, method="POST", latency=0.6, times=1)

    created = client.create(NETWORKS, network("late"))
    time.sleep(0.8)  # let the first POST finish on the appliance

    assert [n["uri"] for n in networks_named(client, "late")] == [created["uri"]]


def test_create_during_an_outage_makes_a_bounded_number_of_requests(
    make_client, inject, requests_to
):
    client = make_client(max_retries=3)
    inject(path=f"{NETWORKS}*", error_rate=1.0, error_status=503)

    with pytest.raises(OneViewServerError):
        client.create(NETWORKS, {"name": "n", "vlanId": 5, "ethernetNetworkType": "Tagged"})

    # Attempt 1 posts; attempts 2-4 each first look the name up once (no retries of their
    # own: retries nested in retries would multiply the wait during an outage), and as the
    # look-up fails they never re-post blindly.
    assert requests_to("POST", NETWORKS) == 1
    assert requests_to("GET", NETWORKS) == 3
