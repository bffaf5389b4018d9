"""Profiles in progress while their update tasks run, and the appliance's task history."""

from __future__ import annotations

import copy

import pytest
from sim_helpers import (
    HARDWARE,
    NETWORKS,
    PROFILES,
    SERVER_NOT_OFF,
    admin,
    connections,
    ethernet,
    network_uri,
    one,
    with_connections,
)

OFF_PROFILE = "dc-deploy-1"
ON_PROFILE = "dc-hypervisor-1"
UPDATE_FROM_TEMPLATE = [{"op": "replace", "path": "/templateCompliance", "value": "Compliant"}]


def _slow_tasks(simulator, seconds: float = 0.4) -> None:
    simulator.appliance.faults.configure({"task_duration": seconds})


# -- inProgress / state / taskUri ----------------------------------------------------------------
def test_profile_shows_its_running_update_task_then_normal_again(simulator, rest):
    profile = one(rest, PROFILES, OFF_PROFILE)
    _slow_tasks(simulator)
    answer = rest.put(profile["uri"], {**profile, "description": "slow"})
    running = rest.get(profile["uri"]).json()
    assert running["inProgress"] is True
    assert running["state"] == "Updating"
    assert running["taskUri"] == answer.headers["Location"]
    assert running["eTag"] == profile["eTag"]  # progress is not a change of the profile
    assert rest.wait(answer)["taskState"] == "Completed"
    done = rest.get(profile["uri"]).json()
    assert (done["inProgress"], done["state"]) == (False, "Normal")
    assert "taskUri" not in done
    assert done["description"] == "slow"


def test_profile_is_back_to_normal_after_a_failed_update(simulator, rest):
    profile = one(rest, PROFILES, ON_PROFILE)
    _slow_tasks(simulator, 0.2)
    body = with_connections(profile, [])
    answer = rest.put(profile["uri"], body)
    assert rest.get(profile["uri"]).json()["inProgress"] is True
    task = rest.wait(answer)
    assert task["taskErrors"][0]["errorCode"] == SERVER_NOT_OFF
    assert rest.get(profile["uri"]).json() == profile


def test_profile_shows_its_running_update_from_template_task(simulator, rest):
    profile = one(rest, PROFILES, "ironic-node-f2b8")
    _slow_tasks(simulator)
    answer = rest.request(
        "PATCH",
        profile["uri"],
        UPDATE_FROM_TEMPLATE,
        **{"Content-Type": "application/json-patch+json"},
    )
    running = rest.get(profile["uri"]).json()
    assert (running["inProgress"], running["state"]) == (True, "Updating")
    assert running["taskUri"] == answer.headers["Location"]
    assert rest.wait(answer)["taskState"] == "Completed"
    assert rest.get(profile["uri"]).json()["inProgress"] is False


def test_second_update_from_the_same_copy_still_fails_when_it_runs(simulator, rest):
    profile = one(rest, PROFILES, OFF_PROFILE)
    _slow_tasks(simulator, 0.3)
    first = rest.put(profile["uri"], {**profile, "description": "first"})
    second = rest.put(profile["uri"], {**profile, "description": "second"})
    assert second.status_code == 202
    running = rest.get(profile["uri"]).json()
    assert running["taskUri"] == first.headers["Location"]  # the oldest task still running
    assert rest.wait(first)["taskState"] == "Completed"
    task = rest.wait(second)
    assert task["taskErrors"][0]["errorCode"] == "PROFILE_CHANGED_DURING_UPDATE"
    final = rest.get(profile["uri"]).json()
    assert (final["inProgress"], final["description"]) == (False, "first")


# -- the task history ----------------------------------------------------------------------------
def test_every_task_is_in_the_history_with_its_request_and_times(simulator, rest):
    profile = one(rest, PROFILES, OFF_PROFILE)
    update = rest.wait(rest.put(profile["uri"], {**profile, "description": "x"}))
    created = rest.wait(rest.post(NETWORKS, {"name": "n-1", "vlanId": 11}))
    history = simulator.appliance.task_history
    assert [entry["uri"] for entry in history] == [update["uri"], created["uri"]]
    first, second = history
    assert first["id"] == update["uri"].rsplit("/", 1)[1]
    assert (first["name"], first["method"], first["path"]) == ("Update", "PUT", profile["uri"])
    assert (first["resourceUri"], first["state"]) == (profile["uri"], "Completed")
    assert first["started"] <= first["ended"] <= second["started"] <= second["ended"]
    assert (second["method"], second["path"]) == ("POST", NETWORKS)
    assert second["resourceUri"] == created["associatedResource"]["resourceUri"]


def test_history_records_failed_tasks_and_is_served_under_sim_tasks(simulator, rest):
    profile = one(rest, PROFILES, ON_PROFILE)
    rest.wait(rest.put(profile["uri"], with_connections(profile, [])))
    blade = one(rest, HARDWARE, "Frame1, bay 5")
    rest.wait(rest.put(blade["uri"] + "/powerState", {"powerState": "Off"}))
    everything = admin(simulator, "GET", "/tasks").json()["tasks"]
    assert [(t["name"], t["state"]) for t in everything] == [
        ("Update", "Error"),
        ("Power off", "Completed"),
    ]
    mine = admin(simulator, "GET", f"/tasks?resourceUri={profile['uri']}").json()["tasks"]
    assert [t["uri"] for t in mine] == [everything[0]["uri"]]
    by_name = admin(simulator, "GET", "/tasks?name=Power off").json()["tasks"]
    assert [t["resourceUri"] for t in by_name] == [blade["uri"]]


def test_a_running_task_has_no_end_yet(simulator, rest):
    _slow_tasks(simulator)
    answer = rest.post(NETWORKS, {"name": "n-2", "vlanId": 12})
    [entry] = simulator.appliance.task_history
    assert (entry["ended"], entry["state"]) == (None, "Running")
    rest.wait(answer)
    assert simulator.appliance.task_history[0]["state"] == "Completed"


@pytest.mark.parametrize("clear", ["reset", "requests"])
def test_history_is_cleared_with_the_request_log_and_by_reset(simulator, rest, clear):
    rest.wait(rest.post(NETWORKS, {"name": "n-3", "vlanId": 13}))
    assert simulator.appliance.task_history
    if clear == "reset":
        assert admin(simulator, "POST", "/reset").status_code == 204
    else:
        assert admin(simulator, "DELETE", "/requests").status_code == 204
    assert simulator.appliance.task_history == []
    assert admin(simulator, "GET", "/tasks").json() == {"tasks": []}


def test_history_shows_when_two_updates_of_one_profile_overlap(simulator, rest):
    """What the driver's tests check: updates of one profile must never run at the same time."""
    profile = one(rest, PROFILES, OFF_PROFILE)
    mgmt = network_uri(rest, "datacenter-mgmt")
    _slow_tasks(simulator, 0.3)
    first = rest.put(profile["uri"], {**profile, "description": "a"})
    added = with_connections(profile, [*connections(profile), ethernet(mgmt, name="t")])
    second = rest.put(profile["uri"], added)
    rest.wait(first), rest.wait(second)
    updates = [
        t
        for t in simulator.appliance.task_history
        if t["resourceUri"] == profile["uri"] and t["name"].startswith("Update")
    ]
    assert len(updates) == 2
    a, b = updates
    assert a["started"] < b["ended"] and b["started"] < a["ended"]  # they overlapped


def test_task_history_is_a_copy(simulator, rest):
    rest.wait(rest.post(NETWORKS, {"name": "n-4", "vlanId": 14}))
    history = simulator.appliance.task_history
    history[0]["state"] = "Tampered"
    history.append(copy.deepcopy(history[0]))
    assert len(simulator.appliance.task_history) == 1
    assert simulator.appliance.task_history[0]["state"] == "Completed"
