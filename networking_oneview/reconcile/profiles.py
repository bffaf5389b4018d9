"""Plan the connections of one server profile from the bare-metal ports bound to it (pure).

Our connections are named ``neutron-PORTID-NIC`` and recorded in our ownership table; every other
connection in the profile (the operator's, another cloud's) is copied through untouched, ids and
boot order included.  Adding or removing a connection, or changing its boot priority or NIC,
needs the server powered off; changing only its network does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

PRIMARY, SECONDARY, NOT_BOOTABLE = "Primary", "Secondary", "NotBootable"
NAME_PREFIX = "neutron-"
_SLUG = re.compile(r"[^A-Za-z0-9]+")


def connection_name(port_id: str, oneview_port: str) -> str:
    """``neutron-<port uuid>-Mezz3-1-a``: unique per port and NIC, at most 63 characters."""
    return f"{NAME_PREFIX}{port_id}-{_SLUG.sub('-', oneview_port).strip('-')}"[:63]


@dataclass(frozen=True)
class DesiredConnection:
    """One NIC of a bound bare-metal port that must reach ``network_uri``."""

    port_id: str
    oneview_port: str  # "Mezz 3:1-a"
    network_uri: str
    bootable: bool

    @property
    def name(self) -> str:
        return connection_name(self.port_id, self.oneview_port)


class Owned(Protocol):
    """An ownership record of a connection (see networking_oneview.db)."""

    connection_id: int
    connection_name: str


@dataclass(frozen=True)
class ProfilePlan:
    """The profile's new connection list, or None when it already matches."""

    connections: list[dict[str, Any]] | None
    needs_power_off: bool = False
    added: tuple[str, ...] = ()  # connection names
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def _priority(connection: Mapping[str, Any]) -> str:
    return (connection.get("boot") or {}).get("priority") or NOT_BOOTABLE


def plan_profile(
    desired: Iterable[DesiredConnection],
    owned: Iterable[Owned],
    actual: Iterable[Mapping[str, Any]],
) -> ProfilePlan:
    """Compute the connection list that realises ``desired`` without touching foreign ones."""
    wanted = {d.name: d for d in sorted(desired, key=lambda d: d.name)}
    owned_ids = {o.connection_id for o in owned}
    owned_names = {o.connection_name for o in owned}
    current = [dict(c) for c in actual]

    def ours(c: Mapping[str, Any]) -> bool:
        name = c.get("name") or ""
        return c.get("id") in owned_ids or name in owned_names or name in wanted

    foreign = [c for c in current if not ours(c)]
    taken = {_priority(c) for c in foreign} & {PRIMARY, SECONDARY}
    warnings: list[str] = []
    result: list[dict[str, Any]] = list(foreign)
    added, removed, changed = [], [], []
    offline = False
    kept_names: set[str] = set()
    for connection in (c for c in current if ours(c)):
        want = wanted.get(connection.get("name") or "")
        if want is None or connection.get("portId") != want.oneview_port:
            removed.append(connection.get("name") or str(connection.get("id")))
            offline = True
            continue
        kept_names.add(want.name)
        updated = dict(connection)
        priority = _boot(want, _priority(connection), taken, warnings)
        if priority != _priority(connection):
            updated["boot"] = {**(connection.get("boot") or {}), "priority": priority}
            offline = True
        if connection.get("networkUri") != want.network_uri:
            updated["networkUri"] = want.network_uri
        if updated != connection:
            changed.append(want.name)
        result.append(updated)
    # Never reuse, within one PUT, the id of a connection being removed.
    used_ids = {c.get("id") for c in current if isinstance(c.get("id"), int)}
    next_id = max([0, *used_ids]) + 1
    for name, want in wanted.items():
        if name in kept_names:
            continue
        result.append(
            {
                "id": next_id,
                "name": name,
                "functionType": "Ethernet",
                "networkUri": want.network_uri,
                "portId": want.oneview_port,
                "boot": {"priority": _boot(want, None, taken, warnings)},
            }
        )
        next_id += 1
        added.append(name)
        offline = True
    if not (added or removed or changed):
        return ProfilePlan(None, warnings=tuple(warnings))
    result.sort(key=lambda c: c.get("id") or 0)
    return ProfilePlan(
        result, offline, tuple(added), tuple(removed), tuple(changed), tuple(warnings)
    )


def _boot(want: DesiredConnection, current: str | None, taken: set[str], warnings: list) -> str:
    """Primary if free, else Secondary, else not bootable (with a warning); keep what we hold."""
    if not want.bootable:
        return NOT_BOOTABLE
    if current in (PRIMARY, SECONDARY) and current not in taken:
        taken.add(current)
        return current
    for priority in (PRIMARY, SECONDARY):
        if priority not in taken:
            taken.add(priority)
            return priority
    warnings.append(
        f"port {want.port_id}: bootable, but Primary and Secondary boot are taken on this "
        f"server; connection {want.name} is NotBootable"
    )
    return NOT_BOOTABLE
