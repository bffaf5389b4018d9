"""MAC addresses of profile connections, by the profile's ``macType``.

- ``Physical`` (the default): a connection has the MAC of its port; a ``mac`` sent must be it.
- ``Virtual``: a new connection gets the next address of the appliance's pool
  (``oneview_simulator.mac_pool``); a connection keeps its MAC whatever else changes (network,
  port, boot, bandwidth, name), also through an update from its template.  A ``mac`` sent must be
  the connection's own; a removed connection's MAC is not handed out again.
- ``UserDefined``: every connection carries its ``mac``: six colon-separated hex bytes, unicast,
  not all zero, used once in the profile and by no other profile on the appliance.

The macType is chosen when the profile is created (from its template if it has one) and cannot
change afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oneview_simulator.errors import bad_request
from oneview_simulator.mac_pool import MAC_FORMAT
from oneview_simulator.resources.profile_connections import Draft
from oneview_simulator.store import ResourceStore

MAC_TYPES = ("Physical", "Virtual", "UserDefined")
PROFILES = "/rest/server-profiles"

# Draws the next pool address not in the given set; None validates without drawing.
Allocate = Callable[[set[str]], str] | None


def check_mac_type(value: Any) -> str:
    if value not in MAC_TYPES:
        raise bad_request(
            "INVALID_MAC_TYPE",
            f"macType {value!r} is not one of {', '.join(MAC_TYPES)}.",
            "Set macType to Physical, Virtual or UserDefined.",
        )
    return value


def macs_of_other_profiles(store: ResourceStore, own_uri: str | None) -> dict[str, str]:
    """Every MAC assigned to a connection of another profile: MAC -> who has it."""
    taken: dict[str, str] = {}
    for profile in store.members(PROFILES):
        if profile["uri"] == own_uri:
            continue
        for connection in (profile.get("connectionSettings") or {}).get("connections", []):
            if connection.get("mac"):
                taken[connection["mac"].upper()] = (
                    f"connection {connection['id']} of server profile {profile['name']!r}"
                )
    return taken


def assign_macs(
    mac_type: str,
    drafts: list[Draft],
    ports: dict[str, dict[str, Any]],
    taken: dict[str, str],
    allocate: Allocate,
) -> None:
    """Set ``draft.mac`` of every connection (ports already placed)."""
    if mac_type == "Virtual":
        _virtual(drafts, taken, allocate)
    elif mac_type == "UserDefined":
        _user_defined(drafts, taken)
    else:
        _physical(drafts, ports)


def _physical(drafts: list[Draft], ports: dict[str, dict[str, Any]]) -> None:
    for draft in drafts:
        mac = ports[draft.port_id]["mac"]
        if draft.mac is not None and draft.mac.upper() != (mac or "").upper():
            raise bad_request(
                "INVALID_MAC",
                f"{draft.where}.mac {draft.mac!r} is not the MAC of port {draft.port_id!r} "
                f"({mac}); with macType Physical a connection has the MAC of its port.",
                "Leave mac out to get the port's MAC, or pick the port that has this MAC.",
            )
        draft.mac = mac


def _virtual(drafts: list[Draft], taken: dict[str, str], allocate: Allocate) -> None:
    kept = {(d.previous or {}).get("mac", "").upper() for d in drafts if d.previous}
    in_use = set(taken) | {mac for mac in kept if mac}
    for draft in drafts:
        own = (draft.previous or {}).get("mac")
        if draft.mac is not None and draft.mac.upper() != (own or "").upper():
            raise bad_request(
                "INVALID_MAC",
                f"{draft.where}.mac {draft.mac!r} is not the MAC of this connection "
                f"({own or 'none yet'}); with macType Virtual the appliance assigns MACs from "
                "its pool.",
                "Leave mac out (or send the connection's current mac).",
            )
        if own:
            draft.mac = own
        elif allocate is not None:
            draft.mac = allocate(in_use)
            in_use.add(draft.mac)
        else:
            draft.mac = None  # validation only: the task draws the address


def _user_defined(drafts: list[Draft], taken: dict[str, str]) -> None:
    mine: dict[str, str] = {}
    for draft in drafts:
        mac = (draft.mac or "").upper()
        if not mac:
            raise bad_request(
                "INVALID_MAC",
                f"{draft.where}.mac is required: with macType UserDefined every connection "
                "carries the MAC it is given.",
                "Set mac, e.g. '02:00:00:00:00:01', on every connection.",
            )
        if not MAC_FORMAT.match(mac) or int(mac[:2], 16) & 1 or mac == "00:00:00:00:00:00":
            raise bad_request(
                "INVALID_MAC",
                f"{draft.where}.mac {draft.mac!r} is not a unicast MAC address "
                "(six colon-separated hex bytes, e.g. '02:00:00:00:00:01').",
            )
        owner = mine.get(mac) or taken.get(mac)
        if owner is not None:
            raise bad_request(
                "DUPLICATE_MAC",
                f"{draft.where}.mac {draft.mac!r} is already assigned to {owner}.",
                "Give every connection a MAC no other connection on the appliance has.",
            )
        mine[mac] = draft.where
        draft.mac = mac
