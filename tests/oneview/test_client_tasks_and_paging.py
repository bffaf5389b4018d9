"""Task polling and collection paging of OneViewClient, against the simulator."""

from __future__ import annotations

import time

import pytest

from networking_oneview.oneview import OneViewClient, OneViewTaskError, OneViewTaskTimeout
from tests.oneview.conftest import settings_for

NETWORKS = "/rest/ethernet-networks"
NETWORK_SETS = "/rest/network-sets"


def network(name: str, vlan: int = 200) -> dict:
    return {"name": name, "vlanId": vlan, "ethernetNetworkType": "Tagged"}


def test_create_waits_for_a_running_task(sim, client, inject):
    inject(plan_task_duration=0.2)

    created = client.create(NETWORK_SETS, {"name": "slow", "networkUris": []}, kind="network-set")

    assert created["name"] == "slow"
    assert created["uri"].startswith(f"{NETWORK_SETS}/")
    polls = [r for r in sim.appliance.request_log if r["path"].startswith("/rest/tasks/")]
    assert len(polls) >= 2  # it kept asking until the task completed


def test_task_past_its_deadline_raises_task_timeout(make_client, inject):
    client = make_client(max_polling_attempts=3, polling_interval=0.05)
    client.api_version  # noqa: B018 - negotiate before the fault is armed
    inject(plan_task_duration=3600)

    started = time.monotonic()
    with pytest.raises(OneViewTaskTimeout) as caught:
        client.create(NETWORKS, network("never"))

    assert time.monotonic() - started < 5
    error = caught.value
    assert error.task_uri.startswith("/rest/tasks/")
    assert error.task_name == "Create"
    assert error.task_uri in str(error)
    assert "'Create'" in str(error)


def test_failed_task_raises_task_error_with_its_errors(client, inject):
    inject(plan_task_failure_rate=1.0)

    with pytest.raises(OneViewTaskError) as caught:
        client.create(NETWORKS, network("doomed"))

    error = caught.value
    assert error.error_code == "SIMULATED_TASK_FAILURE"
    assert error.task_state == "Error"
    assert error.task_uri.startswith("/rest/tasks/")
    assert error.task_errors and error.task_errors[0]["errorCode"] == "SIMULATED_TASK_FAILURE"
    assert "SIMULATED_TASK_FAILURE" in str(error)
    assert error.task_uri in str(error)
    assert client.get_by_name(NETWORKS, "doomed") is None


def task_polls(sim) -> int:
    return sum(1 for r in sim.appliance.request_log if r["path"].startswith("/rest/tasks/"))


def test_a_one_second_task_costs_about_a_second_not_a_polling_interval(sim, make_client, inject):
    """Adaptive polling: the first poll comes 0.1 s after the write, each wait 1.25 times the
    last (0.1, 0.125, 0.16, 0.2, 0.24, 0.31 s: the sixth poll, at 1.13 s, sees the task done).
    Polling every polling_interval (2 s) would have returned after 2 s with two polls."""
    client = make_client(polling_interval=2.0, max_polling_attempts=30)
    client.get_all(NETWORKS, filters=["name='none'"])  # log in first
    inject(plan_task_duration=1.0)
    sim.appliance.clear_request_log()

    started = time.monotonic()
    created = client.create(NETWORKS, network("one-second"))
    elapsed = time.monotonic() - started

    assert created["name"] == "one-second"
    assert 3 <= task_polls(sim) <= 9
    assert elapsed < 1.9  # loose on purpose: ~1.15 s expected, 2.0 s with fixed polling


def test_a_task_final_in_the_write_answer_is_not_polled(sim, client, requests_to):
    client.get_all(NETWORKS, filters=["name='none'"])
    sim.appliance.clear_request_log()  # tasks take 0 s: the 202 already carries the final task

    created = client.create(NETWORKS, network("instant"))

    assert created["name"] == "instant"
    assert task_polls(sim) == 0
    assert requests_to("POST", NETWORKS) == 1


def test_polls_back_off_from_a_tenth_of_a_second_to_polling_interval(sim):
    client = OneViewClient(settings_for(sim, polling_interval=1.0, max_polling_attempts=100))
    waits: list[float] = []
    states = iter(["Running"] * 14 + ["Completed"])
    poller = client._tasks.poller().copy(sleep=waits.append)  # record the waits, sleep none

    task = poller(lambda: {"uri": "/rest/tasks/x", "taskState": next(states)})

    assert task["taskState"] == "Completed"
    assert waits == pytest.approx([min(1.0, 0.1 * 1.25**n) for n in range(14)])
    assert waits[-2:] == [1.0, 1.0]  # capped at polling_interval
    client.close()


def test_the_last_poll_is_at_the_deadline_not_past_it(sim):
    client = OneViewClient(settings_for(sim, polling_interval=0.3, max_polling_attempts=1))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    poller = client._tasks.poller().copy(sleep=sleep)
    with pytest.raises(OneViewTaskTimeout):
        poller(lambda: {"uri": "/rest/tasks/x", "name": "Slow", "taskState": "Running"})

    assert waits[:2] == pytest.approx([0.1, 0.125])
    assert sum(waits) <= 0.3  # each wait is clamped to the time left
    client.close()


def test_wait_for_task_accepts_a_uri(client):
    outcome = client.put(
        client.create(NETWORKS, network("by-uri"))["uri"],
        {**client.get_by_name(NETWORKS, "by-uri"), "vlanId": 201},
    )
    task = client.wait_for_task(outcome.task["uri"])
    assert task["taskState"] == "Completed"
    assert outcome.resource_uri == client.get_by_name(NETWORKS, "by-uri")["uri"]


def test_get_all_follows_next_page_uri_over_2500_members(sim, client):
    store = sim.appliance.store
    for index in range(2500):
        store.insert(
            NETWORKS,
            {
                "name": f"page-{index:04d}",
                "vlanId": 1 + index % 4094,
                "ethernetNetworkType": "Tagged",
                "category": "ethernet-networks",
            },
        )
    sim.appliance.clear_request_log()

    members = client.get_all(NETWORKS, sort="name:ascending")

    names = [m["name"] for m in members if m["name"].startswith("page-")]
    assert names == [f"page-{i:04d}" for i in range(2500)]
    assert len(members) == 2502  # the fixture's two networks as well
    pages = [r for r in sim.appliance.request_log if r["path"] == NETWORKS]
    assert len(pages) >= 5
    assert len({r["query"] for r in pages}) == len(pages)


def test_get_all_keeps_filters_across_pages(sim, client):
    for index in range(1200):
        sim.appliance.store.insert(
            NETWORKS, {"name": f"flt-{index}", "vlanId": 7, "category": "ethernet-networks"}
        )
        sim.appliance.store.insert(
            NETWORKS, {"name": f"other-{index}", "vlanId": 8, "category": "ethernet-networks"}
        )
    sim.appliance.clear_request_log()

    members = client.get_all(NETWORKS, filters=["vlanId=7"])

    assert len(members) == 1200
    assert {m["vlanId"] for m in members} == {7}
    assert len([r for r in sim.appliance.request_log if r["path"] == NETWORKS]) == 3


def test_get_all_ands_repeated_filters(client):
    client.create(NETWORKS, network("alpha", 301))
    client.create(NETWORKS, network("beta", 301))
    found = client.get_all(NETWORKS, filters=["vlanId=301", "name='beta'"])
    assert [n["name"] for n in found] == ["beta"]


def test_get_by_name_escapes_quotes(client):
    created = client.create(NETWORKS, network("o'neil"))
    assert client.get_by_name(NETWORKS, "o'neil")["uri"] == created["uri"]
    assert client.get_by_name(NETWORKS, "o'neill") is None
