"""Connections of server profiles and profile templates: validation, ids and ports.

Rules (a synchronous 400 names the field and value): ``id`` an integer unique in the list (0 or
absent: the next id above every id the profile has or had in this request); ``name`` optional,
at most 63 characters, unique; ``functionType`` Ethernet or FibreChannel; ``networkUri`` an
existing ethernet network or network set (FC/FCoE network for FibreChannel), checked when a
connection is new or changes network, so a connection left on a deleted network stays Offline
until changed; ``portId`` ``"{Lom|Flb|Mezz} {slot}:{port}-{function}"`` present in the hardware's
port map (a template: its server hardware type's adapters) and used once, or ``Auto`` (on a
profile an existing connection keeps its port, a new one gets the first free port);
``requestedMbps`` 100..20000 (a string, as OneView reports it; default "2500"); ``boot.priority``
Primary | Secondary | NotBootable, at most one Primary and one Secondary.  Rack servers (no
``locationUri``, no Virtual Connect) cannot have connections.  MACs: ``profile_macs``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from oneview_simulator.errors import bad_request
from oneview_simulator.store import ResourceStore

ETHERNET_TARGETS = ("/rest/ethernet-networks", "/rest/network-sets")
FC_TARGETS = ("/rest/fc-networks", "/rest/fcoe-networks")
FUNCTION_TYPES = ("Ethernet", "FibreChannel")
BOOT_PRIORITIES = ("Primary", "Secondary", "NotBootable")
CONNECTION_NAME_LIMIT = 63
DEFAULT_MBPS = 2500
MINIMUM_MBPS = 100
MAXIMUM_MBPS = 20000
PORT_ID = re.compile(r"^(Lom|Flb|Mezz) (\d+):(\d+)(-[a-d])?$")
FUNCTIONS = "abcd"

# Connection fields a client may set beyond the validated ones, with the appliance's defaults.
CONNECTION_DEFAULTS: dict[str, Any] = {
    "wwpnType": "Physical",
    "wwnn": None,
    "wwpn": None,
    "requestedVFs": "0",
    "allocatedVFs": None,
    "lagName": None,
    "interconnectUri": None,
    "managed": True,
}


@dataclass
class Draft:
    """One sent connection, validated field by field, on its way to being stored."""

    where: str
    item: dict[str, Any]
    id: int | None
    name: str
    function_type: str
    network_uri: str
    boot: dict[str, Any]
    requested_mbps: str
    port_id: str
    mac: str | None
    previous: dict[str, Any] | None  # the stored connection with the same id


# -- reading a list of connections ---------------------------------------------------------------
def read_drafts(
    store: ResourceStore, field: str, sent: list[Any], old: list[dict[str, Any]]
) -> list[Draft]:
    """Validate every sent connection and the list as a whole; assign missing ids."""
    old_by_id = {c["id"]: c for c in old}
    drafts: list[Draft] = []
    for index, item in enumerate(sent):
        where = f"{field}[{index}]"
        if not isinstance(item, dict):
            raise bad_request("INVALID_PARAMETER", f"{where} must be an object; got {item!r}.")
        drafts.append(_read_draft(store, where, item, old_by_id))
    _check_unique(field, drafts, "id", "DUPLICATE_CONNECTION_ID")
    _check_unique(field, drafts, "name", "DUPLICATE_CONNECTION_NAME")
    _check_boot_priorities(field, drafts)
    _assign_ids(drafts, old)
    return drafts


def _read_draft(
    store: ResourceStore, where: str, item: dict[str, Any], old_by_id: dict[int, dict]
) -> Draft:
    cid = _connection_id(where, item.get("id"))
    function_type = item.get("functionType")
    if function_type not in FUNCTION_TYPES:
        raise bad_request(
            "INVALID_FUNCTION_TYPE",
            f"{where}.functionType {function_type!r} is not one of {', '.join(FUNCTION_TYPES)}.",
        )
    previous = old_by_id.get(cid) if cid is not None else None
    network_uri = item.get("networkUri")
    if previous is None or previous.get("networkUri") != network_uri:
        _check_network(store, where, function_type, network_uri)
    port_id = item.get("portId") or "Auto"
    if not isinstance(port_id, str):
        raise bad_request("INVALID_PORT_ID", f"{where}.portId must be a string; got {port_id!r}.")
    mac = item.get("mac")
    if mac is not None and not isinstance(mac, str):
        raise bad_request("INVALID_MAC", f"{where}.mac must be a string; got {mac!r}.")
    return Draft(
        where=where,
        item=item,
        id=cid,
        name=_connection_name(where, item.get("name")),
        function_type=function_type,
        network_uri=network_uri,
        boot=_boot(where, item.get("boot")),
        requested_mbps=_requested_mbps(where, item.get("requestedMbps")),
        port_id=port_id,
        mac=mac or None,
        previous=previous,
    )


def _connection_id(where: str, value: Any) -> int | None:
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request(
            "INVALID_CONNECTION_ID",
            f"{where}.id must be a positive integer (or 0 to let the appliance choose); "
            f"got {value!r}.",
        )
    return value


def _connection_name(where: str, name: Any) -> str:
    name = "" if name is None else name
    if not isinstance(name, str) or len(name) > CONNECTION_NAME_LIMIT:
        raise bad_request(
            "INVALID_CONNECTION_NAME",
            f"{where}.name must be a string of at most {CONNECTION_NAME_LIMIT} characters; "
            f"got {name!r}.",
        )
    return name


def _boot(where: str, boot: Any) -> dict[str, Any]:
    boot = {} if boot is None else boot
    if not isinstance(boot, dict):
        raise bad_request("INVALID_PARAMETER", f"{where}.boot must be an object; got {boot!r}.")
    priority = boot.get("priority") or "NotBootable"
    if priority not in BOOT_PRIORITIES:
        raise bad_request(
            "INVALID_BOOT_PRIORITY",
            f"{where}.boot.priority {priority!r} is not one of {', '.join(BOOT_PRIORITIES)}.",
        )
    return {**boot, "priority": priority}


def _requested_mbps(where: str, value: Any) -> str:
    if value is None:
        value = DEFAULT_MBPS
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(
            "INVALID_REQUESTED_BANDWIDTH",
            f"{where}.requestedMbps must be a whole number of Mbps; got {value!r}.",
        )
    if not MINIMUM_MBPS <= value <= MAXIMUM_MBPS:
        raise bad_request(
            "INVALID_REQUESTED_BANDWIDTH",
            f"{where}.requestedMbps {value} is outside {MINIMUM_MBPS}..{MAXIMUM_MBPS}.",
        )
    return str(value)


def _check_network(store: ResourceStore, where: str, function_type: str, uri: Any) -> None:
    if not isinstance(uri, str) or not uri:
        raise bad_request(
            "INVALID_NETWORK_URI", f"{where}.networkUri is required; got {uri!r}.", "Set it."
        )
    allowed = ETHERNET_TARGETS if function_type == "Ethernet" else FC_TARGETS
    if uri.rsplit("/", 1)[0] not in allowed or store.find(uri) is None:
        kinds = "ethernet network or network set" if function_type == "Ethernet" else "FC network"
        raise bad_request(
            "NETWORK_NOT_FOUND",
            f"{where}.networkUri {uri!r} is not an existing {kinds} on the appliance.",
            "Use the URI of an existing network.",
        )


def _check_unique(field: str, drafts: list[Draft], key: str, code: str) -> None:
    seen: dict[Any, str] = {}
    for draft in drafts:
        value = getattr(draft, key)
        if value in (None, ""):
            continue
        if value in seen:
            raise bad_request(
                code,
                f"{draft.where}.{key} {value!r} is also the {key} of {seen[value]}.",
                f"Give every connection in {field} its own {key}.",
            )
        seen[value] = draft.where


def _check_boot_priorities(field: str, drafts: list[Draft]) -> None:
    for priority in ("Primary", "Secondary"):
        holders = [d.where for d in drafts if d.boot["priority"] == priority]
        if len(holders) > 1:
            raise bad_request(
                "DUPLICATE_BOOT_PRIORITY",
                f"Only one connection in {field} may have boot.priority {priority!r}; "
                f"{' and '.join(holders)} both do.",
                "Set boot.priority NotBootable on all but one of them.",
            )


def _assign_ids(drafts: list[Draft], old: list[dict[str, Any]]) -> None:
    """New connections get ids above every id in use or just removed, so none is reused."""
    taken = [d.id for d in drafts if d.id is not None] + [c["id"] for c in old]
    next_id = max(taken, default=0) + 1
    for draft in drafts:
        if draft.id is None:
            draft.id = next_id
            next_id += 1


# -- ports ---------------------------------------------------------------------------------------
def hardware_ports(hardware: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every port a connection can use on ``hardware``, in port-map order: portId -> facts."""
    table: dict[str, dict[str, Any]] = {}
    for device in (hardware.get("portMap") or {}).get("deviceSlots", []):
        for port in device.get("physicalPorts", []):
            base = f"{device['location']} {device['slotNumber']}:{port['portNumber']}"
            virtual = port.get("virtualPorts") or []
            kind = port.get("type", "Ethernet")
            for function in virtual:
                table[f"{base}-{function['portFunction']}"] = {
                    "mac": function.get("mac"),
                    "type": kind,
                }
            if not virtual:
                table[base] = {"mac": port.get("mac"), "type": kind}
    return table


def hardware_type_ports(hardware_type: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ports a server hardware type's adapters offer (no MACs: no hardware yet)."""
    table: dict[str, dict[str, Any]] = {}
    for adapter in hardware_type.get("adapters", []):
        for port in adapter.get("ports", []):
            base = f"{adapter['location']} {adapter['slot']}:{port['number']}"
            count = int(port.get("physicalFunctionCount") or 1)
            kind = port.get("type", "Ethernet")
            if count <= 1:
                table[base] = {"mac": None, "type": kind}
                continue
            for function in FUNCTIONS[:count]:
                table[f"{base}-{function}"] = {"mac": None, "type": kind}
    return table


def port_type(function_type: str) -> str:
    return "Ethernet" if function_type == "Ethernet" else "FibreChannel"


def check_explicit_ports(
    table: dict[str, dict[str, Any]], owner: str, drafts: list[Draft]
) -> set[str]:
    """Check every non-Auto port: it exists, fits the function type, is used once."""
    used: dict[str, str] = {}
    for draft in drafts:
        port_id = draft.port_id
        if port_id == "Auto":
            continue
        port = table.get(port_id) if PORT_ID.match(port_id) else None
        if port is None:
            known = ", ".join(table) or "none"
            raise bad_request(
                "INVALID_PORT_ID",
                f"{draft.where}.portId {port_id!r} is not a port of {owner} (its ports: {known}).",
                "Use 'Auto' or a portId such as 'Mezz 3:1-a' from the hardware's portMap.",
            )
        if port["type"] != port_type(draft.function_type):
            raise bad_request(
                "INVALID_PORT_ID",
                f"{draft.where}.portId {port_id!r} is a {port['type']} port and cannot carry a "
                f"{draft.function_type} connection.",
            )
        if port_id in used:
            raise bad_request(
                "DUPLICATE_PORT_ID",
                f"{draft.where}.portId {port_id!r} is already used by {used[port_id]}.",
                "Each port can carry one connection of the profile.",
            )
        used[port_id] = draft.where
    return set(used)


def place_auto_ports(
    table: dict[str, dict[str, Any]], owner: str, drafts: list[Draft], used: set[str]
) -> None:
    """Give Auto connections a free port: an existing connection keeps its own."""
    for draft in drafts:
        if draft.port_id != "Auto":
            continue
        previous = draft.previous
        candidates = [previous["portId"]] if previous and previous.get("portId") in table else []
        candidates += list(table)
        wanted = port_type(draft.function_type)
        free = [p for p in candidates if p not in used and table[p]["type"] == wanted]
        if not free:
            raise bad_request(
                "NO_FREE_PORT",
                f"{draft.where}.portId 'Auto': {owner} has no free {draft.function_type} port "
                "left for this connection.",
                "Remove a connection or name a port explicitly.",
            )
        draft.port_id = free[0]
        used.add(free[0])


# -- stored forms --------------------------------------------------------------------------------
def profile_connection(draft: Draft, mac_type: str) -> dict[str, Any]:
    """A profile connection as stored (ids, port and MAC assigned)."""
    previous = draft.previous
    unchanged_network = previous is not None and previous.get("networkUri") == draft.network_uri
    extra = {k: v for k, v in draft.item.items() if k in CONNECTION_DEFAULTS}
    stored = {
        "id": draft.id,
        "name": draft.name,
        "functionType": draft.function_type,
        "networkUri": draft.network_uri,
        "portId": draft.port_id,
        "mac": draft.mac,
        "macType": mac_type,
        "requestedMbps": draft.requested_mbps,
        "allocatedMbps": int(draft.requested_mbps),
        "maximumMbps": MAXIMUM_MBPS,
        "boot": draft.boot,
        "state": previous.get("state", "Deployed") if unchanged_network else "Deployed",
        "status": previous.get("status", "OK") if unchanged_network else "OK",
    }
    for key, value in {**CONNECTION_DEFAULTS, **extra}.items():
        stored.setdefault(key, value)
    return stored


def template_connection(draft: Draft) -> dict[str, Any]:
    """A profile-template connection as stored: what profiles made from it get."""
    stored = {
        "id": draft.id,
        "name": draft.name,
        "functionType": draft.function_type,
        "networkUri": draft.network_uri,
        "portId": draft.port_id,
        "requestedMbps": draft.requested_mbps,
        "boot": draft.boot,
    }
    for key in ("requestedVFs", "lagName"):
        stored[key] = draft.item.get(key, CONNECTION_DEFAULTS[key])
    return stored


# -- the power rule ------------------------------------------------------------------------------
def changes_needing_power_off(old: list[dict], new: list[dict]) -> list[str]:
    """What an update does that only a powered-off server accepts: adding or removing
    connections, changing a connection's boot priority, port, function type, name or MAC."""
    old_by_id = {c["id"]: c for c in old}
    new_by_id = {c["id"]: c for c in new}
    reasons = []
    added = sorted(set(new_by_id) - set(old_by_id))
    removed = sorted(set(old_by_id) - set(new_by_id))
    if added:
        reasons.append(f"adds connection(s) {', '.join(map(str, added))}")
    if removed:
        reasons.append(f"removes connection(s) {', '.join(map(str, removed))}")
    for cid in sorted(set(old_by_id) & set(new_by_id)):
        before, after = old_by_id[cid], new_by_id[cid]
        if (before.get("boot") or {}).get("priority") != after["boot"]["priority"]:
            reasons.append(f"changes the boot priority of connection {cid}")
        for key in ("portId", "functionType", "name"):
            if before.get(key) != after.get(key):
                reasons.append(f"changes the {key} of connection {cid}")
        if (before.get("mac") or "").upper() != (after.get("mac") or "").upper():
            reasons.append(f"changes the MAC of connection {cid}")
    return reasons
