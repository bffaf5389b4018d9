"""Small helpers the simulator tests share: look-ups by name, profile bodies, admin calls."""

from __future__ import annotations

import copy
import time
from typing import Any

import requests

HARDWARE = "/rest/server-hardware"
PROFILES = "/rest/server-profiles"
TEMPLATES = "/rest/server-profile-templates"
NETWORKS = "/rest/ethernet-networks"
SERVER_NOT_OFF = "ServerNotOffWithCauseForNoServerChange"
POOL_PREFIX = "16:5E:A0:"


def one(rest, collection: str, name: str) -> dict:
    members = rest.members(f"{collection}?filter=\"name='{name}'\"")
    assert len(members) == 1, members
    return members[0]


def network_uri(rest, name: str) -> str:
    return one(rest, NETWORKS, name)["uri"]


def connections(doc: dict) -> list[dict]:
    if "connectionSettings" in doc:
        return doc["connectionSettings"]["connections"]
    return doc["connections"]


def with_connections(doc: dict, items: list[dict]) -> dict:
    """A whole-object PUT body at API >= 600 with other connections."""
    body = copy.deepcopy(doc)
    body["connectionSettings"]["connections"] = items
    return body


def ethernet(network: str, **fields: Any) -> dict:
    return {"functionType": "Ethernet", "networkUri": network, "portId": "Auto", **fields}


def create_body(hardware: dict, items: list[dict], name: str = "bm-1", **fields: Any) -> dict:
    return {
        "name": name,
        "serverHardwareUri": hardware["uri"],
        "connectionSettings": {"manageConnections": True, "connections": items},
        **fields,
    }


def port_macs(hardware: dict) -> dict[str, str]:
    return {
        f"{slot['location']} {slot['slotNumber']}:{port['portNumber']}-{v['portFunction']}": v[
            "mac"
        ]
        for slot in hardware["portMap"]["deviceSlots"]
        for port in slot["physicalPorts"]
        for v in port["virtualPorts"]
    }


def admin(simulator, method: str, path: str, body: Any = None) -> requests.Response:
    """The simulator's admin API under /_sim (no session)."""
    return requests.request(
        method, simulator.url + "/_sim" + path, json=body, verify=simulator.ca_file, timeout=10
    )


def set_power(rest, hardware_name: str, state: str) -> None:
    hardware = one(rest, HARDWARE, hardware_name)
    control = "PressAndHold" if state == "Off" else "MomentaryPress"
    body = {"powerState": state, "powerControl": control}
    task = rest.wait(rest.put(hardware["uri"] + "/powerState", body))
    assert task["taskState"] == "Completed", task


def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)
