"""Bulk creation and deletion of ethernet networks, against the simulator.

Request counts come from the simulator's request log: one bulk POST, one filtered listing to
read the networks back, never a GET per network.
"""

from __future__ import annotations

import time

import pytest

from networking_oneview.oneview import OneViewRequestError
from networking_oneview.oneview.bulk import checked_vlans, prefix_filter, vlan_id_range

NETWORKS = "/rest/ethernet-networks"
BULK = f"{NETWORKS}/bulk"
BULK_DELETE = f"{NETWORKS}/bulk-delete"


def named(client, prefix: str) -> list[dict]:
    return [n for n in client.get_all(NETWORKS) if n["name"].startswith(f"{prefix}_")]


def gets_of_single_networks(sim) -> int:
    log = sim.appliance.request_log
    return sum(1 for r in log if r["method"] == "GET" and r["path"].startswith(f"{NETWORKS}/"))


def logged_in(client):
    client.get_all(NETWORKS, filters=["name='none'"])
    return client


# -- pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vlans", "text"),
    [
        ([101, 102, 103], "101-103"),
        ([115, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110], "101-110,115"),
        ([7], "7-7"),  # never a lone "7": HPE's SDK reads that as 1..7
        ([5, 9], "5,9"),
        ([1, 2, 4, 4094], "1-2,4,4094"),
    ],
)
def test_vlan_id_range_is_ascending_runs(vlans, text):
    assert vlan_id_range(vlans) == text


@pytest.mark.parametrize("vlans", [[0], [4095], [True], ["5"], [5, 6, 5]])
def test_vlans_outside_1_to_4094_or_repeated_are_refused(vlans):
    with pytest.raises(ValueError, match="VLAN"):
        checked_vlans(vlans)


def test_prefix_filter_escapes_quotes():
    assert prefix_filter("o'neil") == "name matches 'o''neil_%'"


# -- creation -------------------------------------------------------------------------------


def test_creates_a_range_with_one_post_and_reads_it_back_with_one_listing(
    sim, make_client, requests_to
):
    client = logged_in(make_client())
    sim.appliance.clear_request_log()
    vlans = [115, *range(101, 111)]

    created = client.create_networks_bulk(
        "cloud_physnet1", vlans, purpose="General", smart_link=False, private_network=True
    )

    assert [n["name"] for n in created] == [f"cloud_physnet1_{v}" for v in vlans]
    assert [n["vlanId"] for n in created] == vlans
    assert all(n["ethernetNetworkType"] == "Tagged" for n in created)
    assert all(n["smartLink"] is False and n["privateNetwork"] is True for n in created)
    assert len(named(client, "cloud_physnet1")) == len(vlans)  # nothing else was made
    assert requests_to("POST", BULK) == 1
    assert requests_to("GET", NETWORKS) == 2  # the read-back, and named() above
    assert gets_of_single_networks(sim) == 0
    assert len(sim.appliance.task_history) == 1


def test_a_single_vlan_creates_exactly_one_network(client):
    [created] = client.create_networks_bulk("solo", [7])

    assert created["name"] == "solo_7"
    assert [n["name"] for n in named(client, "solo")] == ["solo_7"]


def test_a_retry_after_a_crash_returns_all_and_duplicates_none(sim, make_client, requests_to):
    client = logged_in(make_client())
    before = {n["name"]: n["uri"] for n in client.create_networks_bulk("retry", [203, 205])}
    sim.appliance.clear_request_log()

    created = client.create_networks_bulk("retry", [201, 202, 203, 204, 205])

    assert [n["name"] for n in created] == [f"retry_{v}" for v in (201, 202, 203, 204, 205)]
    assert {n["name"]: n["uri"] for n in created if n["name"] in before} == before
    assert sorted(n["name"] for n in named(client, "retry")) == sorted(n["name"] for n in created)
    assert requests_to("POST", BULK) == 2  # refused as a whole, then the missing three
    assert gets_of_single_networks(sim) == 0


def test_all_existing_returns_them_without_creating(sim, make_client, requests_to):
    client = logged_in(make_client())
    first = client.create_networks_bulk("again", [301, 302, 303])
    sim.appliance.clear_request_log()

    second = client.create_networks_bulk("again", [303, 301, 302])

    assert [n["uri"] for n in second] == [first[2]["uri"], first[0]["uri"], first[1]["uri"]]
    assert len(named(client, "again")) == 3
    assert [t["state"] for t in sim.appliance.task_history] == []  # refused before any task


def test_a_post_whose_answer_was_lost_creates_nothing_twice(sim, make_client, inject):
    """The first POST is answered after the client gave up (read timeout) and is processed
    then: the client's second POST created the networks, the late one is refused."""
    client = logged_in(make_client(read_timeout=0.5, max_retries=0))
    inject(path=BULK, method="POST", latency=1.5, times=1)

    created = client.create_networks_bulk("lost", [401, 402, 403])

    assert [n["name"] for n in created] == ["lost_401", "lost_402", "lost_403"]
    deadline = time.monotonic() + 10
    while sum(1 for r in sim.appliance.request_log if r["path"] == BULK) < 2:
        assert time.monotonic() < deadline, "the delayed POST never finished"
        time.sleep(0.05)
    assert len(named(client, "lost")) == 3
    statuses = sorted(r["status"] for r in sim.appliance.request_log if r["path"] == BULK)
    assert statuses == [202, 400]


def test_a_refusal_for_another_reason_is_raised(sim, make_client, inject):
    client = logged_in(make_client())
    inject(path=BULK, method="POST", error_rate=1.0, error_status=400)

    with pytest.raises(OneViewRequestError):
        client.create_networks_bulk("refused", [501, 502])
    assert named(client, "refused") == []


def test_no_vlans_make_no_request(sim, client):
    assert client.create_networks_bulk("empty", []) == []
    assert sim.appliance.request_log == []


@pytest.mark.parametrize("api_version", [800, 1200, 2000])
def test_bulk_type_fits_each_api_version(start_server, make_client, api_version):
    """Up to 1800 the simulator refuses a bulk whose type is not exactly its version's."""
    server = start_server(api_version=api_version)
    client = make_client(server=server)

    created = client.create_networks_bulk("typed", [11, 12])

    assert client.api_version == api_version
    assert [n["name"] for n in created] == ["typed_11", "typed_12"]


# -- deletion -------------------------------------------------------------------------------


def test_bulk_delete_is_one_post_from_api_1600(sim, make_client, requests_to):
    client = logged_in(make_client())
    uris = [n["uri"] for n in client.create_networks_bulk("gone", [601, 602, 603])]
    sim.appliance.clear_request_log()

    client.delete_networks_bulk(uris)

    assert named(client, "gone") == []
    assert requests_to("POST", BULK_DELETE) == 1
    assert sum(1 for r in sim.appliance.request_log if r["method"] == "DELETE") == 0


def test_bulk_delete_with_a_missing_network_deletes_the_others(sim, make_client, requests_to):
    client = logged_in(make_client())
    uris = [n["uri"] for n in client.create_networks_bulk("partly", [611, 612, 613])]
    client.delete(uris[1])
    sim.appliance.clear_request_log()

    client.delete_networks_bulk(uris)

    assert named(client, "partly") == []
    assert requests_to("POST", BULK_DELETE) == 1  # refused: one of them is unknown
    assert sum(1 for r in sim.appliance.request_log if r["method"] == "DELETE") == 3


def test_below_api_1600_each_network_is_deleted_and_missing_ones_are_fine(
    start_server, make_client
):
    server = start_server(api_version=1200)
    client = make_client(server=server)
    uris = [n["uri"] for n in client.create_networks_bulk("old", [621, 622, 623])]
    client.delete(uris[0])
    server.appliance.clear_request_log()

    client.delete_networks_bulk([*uris, uris[2]])  # a repeat is deleted once

    assert named(client, "old") == []
    log = server.appliance.request_log
    assert [r["path"] for r in log if r["method"] == "DELETE"] == uris
    assert not any(r["path"] == BULK_DELETE for r in log)


def test_bulk_delete_of_nothing_sends_nothing(sim, client):
    client.delete_networks_bulk([])
    assert sim.appliance.request_log == []
