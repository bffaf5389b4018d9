"""Power-button semantics: MomentaryPress Off is a graceful shutdown the OS may take time over or
ignore; PressAndHold forces the server off at once."""

from __future__ import annotations

import time

import pytest
from sim_helpers import HARDWARE, PROFILES, SERVER_NOT_OFF, admin, one, with_connections

ON_BLADE = "Frame1, bay 5"  # powered on, no profile
OFF_BLADE = "Frame1, bay 4"  # powered off, no profile


def _press(rest, hardware: dict, state: str, control: str):
    body = {"powerState": state, "powerControl": control}
    return rest.put(hardware["uri"] + "/powerState", body)


def _power(rest, hardware: dict) -> str:
    return rest.get(hardware["uri"]).json()["powerState"]


def test_momentary_press_off_is_immediate_by_default(rest):
    blade = one(rest, HARDWARE, ON_BLADE)
    task = rest.wait(_press(rest, blade, "Off", "MomentaryPress"))
    assert task["taskState"] == "Completed"
    assert _power(rest, blade) == "Off"


def test_graceful_shutdown_shows_powering_off_and_completes_once_off(simulator, rest):
    simulator.appliance.faults.configure({"graceful_shutdown_seconds": 0.4})
    blade = one(rest, HARDWARE, ON_BLADE)
    started = time.monotonic()
    answer = _press(rest, blade, "Off", "MomentaryPress")
    assert rest.get(answer.headers["Location"]).json()["taskState"] == "Running"
    assert _power(rest, blade) == "PoweringOff"
    task = rest.wait(answer)
    assert task["taskState"] == "Completed"
    assert time.monotonic() - started >= 0.4
    assert _power(rest, blade) == "Off"


@pytest.mark.parametrize("by", ["name", "uri"])
@pytest.mark.parametrize("seconds", [0, 0.2])
def test_os_that_ignores_the_button_stays_on_and_the_task_fails(simulator, rest, by, seconds):
    blade = one(rest, HARDWARE, ON_BLADE)
    simulator.appliance.faults.configure(
        {"graceful_shutdown_seconds": seconds, "ignore_momentary_press": [blade[by]]}
    )
    task = rest.wait(_press(rest, blade, "Off", "MomentaryPress"))
    assert task["taskState"] == "Error"
    error = task["taskErrors"][0]
    assert error["errorCode"] == "SERVER_HARDWARE_DID_NOT_POWER_OFF"
    assert "PressAndHold" in error["recommendedActions"][0]
    assert _power(rest, blade) == "On"


def test_press_and_hold_always_powers_off_at_once(simulator, rest):
    blade = one(rest, HARDWARE, ON_BLADE)
    simulator.appliance.faults.configure(
        {"graceful_shutdown_seconds": 5, "ignore_momentary_press": [ON_BLADE]}
    )
    task = rest.wait(_press(rest, blade, "Off", "PressAndHold"), timeout=2)
    assert task["taskState"] == "Completed"
    assert _power(rest, blade) == "Off"


def test_press_and_hold_during_a_graceful_shutdown_ends_it(simulator, rest):
    simulator.appliance.faults.configure({"graceful_shutdown_seconds": 0.5})
    blade = one(rest, HARDWARE, ON_BLADE)
    graceful = _press(rest, blade, "Off", "MomentaryPress")
    forced = rest.wait(_press(rest, blade, "Off", "PressAndHold"))
    assert forced["taskState"] == "Completed"
    assert _power(rest, blade) == "Off"
    assert rest.wait(graceful)["taskState"] == "Completed"
    assert _power(rest, blade) == "Off"


def test_momentary_press_on_powers_on(simulator, rest):
    simulator.appliance.faults.configure(
        {"graceful_shutdown_seconds": 5, "ignore_momentary_press": [OFF_BLADE]}
    )
    blade = one(rest, HARDWARE, OFF_BLADE)
    task = rest.wait(_press(rest, blade, "On", "MomentaryPress"), timeout=2)
    assert task["taskState"] == "Completed"
    assert _power(rest, blade) == "On"


def test_a_server_powering_off_is_not_off_for_profile_changes(simulator, rest):
    simulator.appliance.faults.configure({"graceful_shutdown_seconds": 0.5})
    profile = one(rest, PROFILES, "dc-hypervisor-1")  # Frame1, bay 1 (On)
    graceful = _press(rest, one(rest, HARDWARE, "Frame1, bay 1"), "Off", "MomentaryPress")
    task = rest.wait(rest.put(profile["uri"], with_connections(profile, [])))
    assert task["taskErrors"][0]["errorCode"] == SERVER_NOT_OFF
    assert "its power state is PoweringOff" in task["taskErrors"][0]["message"]
    rest.wait(graceful)


def test_power_knobs_are_part_of_the_fault_plan(simulator):
    plan = {"graceful_shutdown_seconds": 1.5, "ignore_momentary_press": ["Frame1, bay 3"]}
    answer = admin(simulator, "PUT", "/faults", plan)
    assert answer.status_code == 200
    described = admin(simulator, "GET", "/faults").json()
    assert described["graceful_shutdown_seconds"] == 1.5
    assert described["ignore_momentary_press"] == ["Frame1, bay 3"]


@pytest.mark.parametrize(
    "plan",
    [{"graceful_shutdown_seconds": -1}, {"ignore_momentary_press": "Frame1, bay 3"}],
    ids=["negative", "not-a-list"],
)
def test_invalid_power_knobs_are_refused(simulator, plan):
    answer = admin(simulator, "PUT", "/faults", plan)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "INVALID_FAULT_PLAN"
