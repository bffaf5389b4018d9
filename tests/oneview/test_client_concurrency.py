"""Many threads sharing one client: the bound on tasks in flight, one login, a big enough pool.

How many tasks ran at once is read from the simulator's task history (when each task started
and ended on the appliance), never from wall-clock timing in the test.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest

from networking_oneview.oneview import OneViewRequestError

NETWORKS = "/rest/ethernet-networks"
LOGIN = "/rest/login-sessions"


def most_tasks_at_once(history: list[dict[str, Any]]) -> int:
    """The largest number of tasks Running on the appliance at one instant."""
    assert all(task["ended"] is not None for task in history), "a task is still running"
    # At equal times an end (-1) sorts before a start (+1): the slot was free by then.
    events = sorted([(t["started"], 1) for t in history] + [(t["ended"], -1) for t in history])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(index)`` in ``count`` threads released together; return what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait(10)
            work(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return errors


def network(name: str, vlan: int) -> dict[str, Any]:
    return {"name": name, "vlanId": vlan, "ethernetNetworkType": "Tagged"}


def logged_in(client):
    client.get_all(NETWORKS, filters=["name='none'"])
    return client


@pytest.mark.parametrize(("limit", "at_most", "at_least"), [(2, 2, 2), (6, 6, 3)])
def test_tasks_in_flight_never_exceed_max_concurrent_tasks(
    sim, make_client, inject, limit, at_most, at_least
):
    """Six threads write at once; the second case shows the measure sees more when allowed."""
    client = logged_in(make_client(max_concurrent_tasks=limit))
    inject(plan_task_duration=0.4)
    sim.appliance.clear_request_log()

    errors = run_threads(6, lambda i: client.create(NETWORKS, network(f"bound-{i}", 600 + i)))

    assert errors == []
    history = sim.appliance.task_history
    assert len(history) == 6
    assert at_least <= most_tasks_at_once(history) <= at_most


@pytest.mark.timeout(30)  # a slot not given back would make the next write wait for ever
def test_a_write_answered_without_a_task_gives_its_slot_back(sim, make_client):
    client = logged_in(make_client(max_concurrent_tasks=1))
    template = client.get_all("/rest/connection-templates")[0]

    for typical in (2000, 2100, 2200):  # a synchronous 200 each
        template = client.update({**template, "bandwidth": {"typicalBandwidth": typical}})

    assert client.get(template["uri"])["bandwidth"]["typicalBandwidth"] == 2200


@pytest.mark.timeout(30)
def test_a_failed_write_gives_its_slot_back(sim, make_client, inject):
    client = logged_in(make_client(max_concurrent_tasks=1, max_retries=0))
    inject(path=NETWORKS, method="POST", error_rate=1.0, error_status=400, times=2)

    for index in range(2):
        with pytest.raises(OneViewRequestError):
            client.create(NETWORKS, network(f"refused-{index}", 700 + index), natural_key=None)
    created = client.create(NETWORKS, network("after-refusals", 702))

    assert created["name"] == "after-refusals"


def test_sixteen_threads_share_one_client(sim, make_client, inject, requests_to, caplog):
    """Reads and writes from 16 threads at once: one login, every write done exactly once, at
    most max_concurrent_tasks tasks at once, and no connection opened beyond the pool."""
    client = make_client(max_concurrent_tasks=4)
    inject(plan_task_duration=0.1)
    caplog.set_level(logging.WARNING, logger="urllib3.connectionpool")

    def work(index: int) -> None:
        if index % 4 == 0:  # a reader
            for _ in range(5):
                assert any(n["name"] == "provisioning" for n in client.get_all(NETWORKS))
            return
        name = f"shared-{index}"
        created = client.create(NETWORKS, network(name, 800 + index))
        assert client.get_by_name(NETWORKS, name)["uri"] == created["uri"]
        updated = client.update({**client.get(created["uri"]), "vlanId": 900 + index})
        assert updated["vlanId"] == 900 + index
        client.delete(created["uri"])

    errors = run_threads(16, work)

    assert errors == []
    assert requests_to("POST", LOGIN) == 1
    assert requests_to("POST", NETWORKS) == 12
    assert not any(n["name"].startswith("shared-") for n in client.get_all(NETWORKS))
    assert len(sim.appliance.task_history) == 12 * 3
    assert most_tasks_at_once(sim.appliance.task_history) <= 4
    assert "pool is full" not in caplog.text
