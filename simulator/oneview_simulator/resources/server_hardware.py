"""Server hardware and the read-only enclosure inventory around it; power-state tasks.

Server hardware is inventory: GET only, plus ``PUT {uri}/powerState`` (a task, refused while
``powerLock`` is set).  ``powerState`` is On or Off, and PoweringOff while the operating system
shuts down after a momentary press of the power button:

- ``Off`` + ``PressAndHold`` powers off at once (a forced power-off).
- ``Off`` + ``MomentaryPress`` is a graceful shutdown: the server shows PoweringOff for the fault
  knob ``graceful_shutdown_seconds`` (default 0) and the task stays Running; it completes once the
  server is Off.  A server listed in the fault knob ``ignore_momentary_press`` (its operating
  system ignores the button) stays On: after the same wait the task ends in Error
  ``SERVER_HARDWARE_DID_NOT_POWER_OFF``, and the client may force it with PressAndHold.
- ``On`` (any control but Reset/ColdBoot) powers on at once; ``On`` + ``ColdBoot`` or ``Reset``
  restart a server that is On (task Error when it is off).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from oneview_simulator.appliance import Appliance
from oneview_simulator.errors import ApplianceError, bad_request
from oneview_simulator.resources.common import (
    accepted,
    add_read_routes,
    appliance,
    collection_response,
    json_body,
    shown_as,
)
from oneview_simulator.tasks import Later

blueprint = Blueprint("server_hardware", __name__)

HARDWARE = "/rest/server-hardware"
HARDWARE_TYPES = "/rest/server-hardware-types"
ENCLOSURES = "/rest/enclosures"
ENCLOSURE_GROUPS = "/rest/enclosure-groups"

POWER_STATES = ("On", "Off")
POWER_CONTROLS = ("MomentaryPress", "PressAndHold", "ColdBoot", "Reset")
POWERING_OFF = "PoweringOff"


# -- read-only inventory -------------------------------------------------------------------------
def _inventory(collection: str, category: str, collection_type: str) -> None:
    """GET on a collection and its members, for resources the simulator only reports."""

    def list_members():
        members = appliance().store.members(collection)
        return collection_response(collection, members, category, collection_type)

    def get_member(member_id: str):
        return jsonify(appliance().store.get(f"{collection}/{member_id}"))

    blueprint.add_url_rule(collection, f"list_{category}", list_members, methods=["GET"])
    blueprint.add_url_rule(
        f"{collection}/<member_id>", f"get_{category}", get_member, methods=["GET"]
    )


_inventory(ENCLOSURES, "enclosures", "EnclosureListV7")
_inventory(ENCLOSURE_GROUPS, "enclosure-groups", "EnclosureGroupCollectionV8")
_inventory(HARDWARE_TYPES, "server-hardware-types", "server-hardware-type-list-12")
add_read_routes(blueprint, HARDWARE, "server-hardware", "server-hardware-list-12", shown_as(None))


# -- power ---------------------------------------------------------------------------------------
def _check_power_request(state: Any, control: Any) -> None:
    if state not in POWER_STATES:
        raise bad_request(
            "INVALID_POWER_STATE",
            f"powerState {state!r} is not one of {', '.join(POWER_STATES)}.",
            "Set powerState to On or Off.",
        )
    if control not in POWER_CONTROLS:
        raise bad_request(
            "INVALID_POWER_CONTROL",
            f"powerControl {control!r} is not one of {', '.join(POWER_CONTROLS)}.",
            "Set powerControl to MomentaryPress, PressAndHold, ColdBoot or Reset.",
        )
    if control in ("ColdBoot", "Reset") and state != "On":
        raise bad_request(
            "INVALID_POWER_CONTROL",
            f"powerControl {control!r} restarts a server and needs powerState 'On'; "
            f"got powerState {state!r}.",
            "Send powerState On with ColdBoot or Reset.",
        )


def _check_can_change(hardware: dict[str, Any], control: str) -> None:
    if hardware.get("powerLock"):
        raise ApplianceError(
            409,
            "SERVER_HARDWARE_POWER_LOCKED",
            f"The power state of server hardware {hardware['name']!r} cannot be changed: "
            "its power is locked (powerLock is set).",
            recommended_actions=["Wait until the operation holding the power lock ends."],
        )
    if control in ("ColdBoot", "Reset") and hardware["powerState"] != "On":
        raise ApplianceError(
            409,
            "SERVER_HARDWARE_POWERED_OFF",
            f"Server hardware {hardware['name']!r} is powered off and cannot be reset.",
            recommended_actions=["Power the server on instead."],
        )


def _set_power(sim: Appliance, uri: str, state: str) -> dict[str, Any]:
    hardware = sim.store.get(uri)
    hardware["powerState"] = state
    return sim.store.replace(uri, hardware)


def _did_not_power_off(hardware: dict[str, Any], seconds: float) -> ApplianceError:
    return ApplianceError(
        409,
        "SERVER_HARDWARE_DID_NOT_POWER_OFF",
        f"Server hardware {hardware['name']!r} did not power off within {seconds:g} seconds of "
        "a momentary press of its power button: its operating system did not shut down.",
        details="A momentary press asks the operating system to shut down; it may ignore it.",
        recommended_actions=[
            "Shut down the operating system, or power off with powerControl PressAndHold."
        ],
    )


def _press_to_power_off(sim: Appliance, uri: str) -> str | Later:
    """A graceful shutdown: PoweringOff, then Off after the shutdown takes its time."""
    hardware = sim.store.get(uri)
    seconds = sim.faults.graceful_shutdown_seconds()
    ignored = sim.faults.ignores_momentary_press(hardware)
    if seconds <= 0:
        if ignored:
            raise _did_not_power_off(hardware, seconds)
        _set_power(sim, uri, "Off")
        return uri
    _set_power(sim, uri, POWERING_OFF)

    def shut_down() -> str:
        latest = sim.store.get(uri)
        if latest["powerState"] == "Off":  # e.g. forced off meanwhile: the server is off
            return uri
        if ignored or latest["powerState"] != POWERING_OFF:
            if latest["powerState"] == POWERING_OFF:
                _set_power(sim, uri, "On")
            raise _did_not_power_off(latest, seconds)
        _set_power(sim, uri, "Off")
        return uri

    return Later(seconds, shut_down, "Waiting for the operating system to shut down.")


@blueprint.put(f"{HARDWARE}/<hardware_id>/powerState")
def set_power_state(hardware_id: str):
    uri = f"{HARDWARE}/{hardware_id}"
    sim = appliance()
    body = json_body()
    state = body.get("powerState")
    control = body.get("powerControl", "MomentaryPress")
    _check_power_request(state, control)
    hardware = sim.store.get(uri)

    def change() -> str | Later:
        latest = sim.store.get(uri)
        _check_can_change(latest, control)
        if state == "Off" and control == "MomentaryPress" and latest["powerState"] != "Off":
            return _press_to_power_off(sim, uri)
        _set_power(sim, uri, state)
        return uri

    names = {"ColdBoot": "Cold boot", "Reset": "Reset"}
    name = names.get(control, f"Power {state.lower()}")
    return accepted(sim.run_task(name, hardware, change))
