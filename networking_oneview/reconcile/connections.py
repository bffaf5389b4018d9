"""Plan one server profile's connections NIC by NIC (pure).

While a bare-metal port is bound, the NIC it names is that port's.  On that NIC we either take
over the connection already there (``adopt``: change its network, its boot priority only if the
port asks for another one, and remember the original exactly) or add a connection of our own.
When no bound port needs the NIC any more we restore the original byte for byte, or remove the
connection we added.  Ownership is a *claim* per (server profile, NIC), never a connection id:
OneView reassigns ids, and an operator's connection that later gets one of our old ids is not
ours.  Connections on NICs we do not claim are passed through as the very dicts OneView gave us.

OneView accepts a network change of an existing connection on a running server; adding or
removing a connection, or changing its boot priority or name, needs the server powered off.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PRIMARY, SECONDARY, NOT_BOOTABLE = "Primary", "Secondary", "NotBootable"
ADOPT, REFUSE = "adopt", "refuse"
NAME_PREFIX = "neutron-"
_SLUG = re.compile(r"[^A-Za-z0-9]+")


def connection_name(cloud: str, nic: str) -> str:
    """``neutron-CLOUD-Mezz-3-1-a``: the name of a connection we add (one per NIC)."""
    return f"{NAME_PREFIX}{cloud}-{_SLUG.sub('-', nic).strip('-')}"[:63]


@dataclass(frozen=True)
class WantedNic:
    """A NIC a bound port needs on ``network_uri``; ``bootable`` None means "no opinion"."""

    nic: str  # OneView portId, e.g. "Mezz 3:1-a"
    port_id: str
    network_uri: str
    bootable: bool | None = None


@dataclass(frozen=True)
class Claim:
    """Our hold on one NIC of one profile, as recorded in the database."""

    nic: str
    port_id: str
    connection_name: str
    original: Mapping[str, Any] | None = None  # the connection we took over; None: we added ours
    connection_id: int | None = None

    @property
    def adopted(self) -> bool:
        return self.original is not None


@dataclass(frozen=True)
class Refusal:
    port_id: str
    nic: str
    message: str


@dataclass(frozen=True)
class ProfilePlan:
    """What to send and what to record; ``connections`` None means the profile already fits."""

    connections: list[dict[str, Any]] | None
    claims: tuple[Claim, ...] = ()  # record before the PUT (new holds, or holds that changed)
    released: tuple[str, ...] = ()  # NICs to forget once OneView has the change
    needs_power_off: bool = False
    refusals: tuple[Refusal, ...] = ()
    changes: tuple[str, ...] = ()  # one line each, for the log
    warnings: tuple[str, ...] = field(default=())


def priority(connection: Mapping[str, Any] | None) -> str:
    return ((connection or {}).get("boot") or {}).get("priority") or NOT_BOOTABLE


def _is_ours(connection: Mapping[str, Any], claim: Claim) -> bool:
    """Whether the connection on a claimed NIC is still the one our claim is about."""
    if claim.original is not None:
        return connection.get("id") == claim.original.get("id")
    return connection.get("name") == claim.connection_name


def plan_profile(
    wanted: Iterable[WantedNic],
    claims: Iterable[Claim],
    actual: Iterable[Mapping[str, Any]],
    *,
    cloud: str,
    existing: str = ADOPT,
    frozen: Iterable[str] = (),
) -> ProfilePlan:
    """The connection list that gives every wanted NIC its network, touching nothing else.

    ``frozen`` NICs (their port is not ready yet) keep their connection and claim as they are.
    """
    return _Planner(wanted, claims, actual, cloud, existing, frozen).plan()


class _Planner:
    def __init__(self, wanted, claims, actual, cloud, existing, frozen) -> None:
        self.wanted = {w.nic: w for w in wanted}
        self.claims = {c.nic: c for c in claims}
        self.current = list(actual)
        self.cloud = cloud
        self.existing = existing
        self.frozen = set(frozen)
        self.on_nic = {}
        for connection in self.current:
            self.on_nic.setdefault(connection.get("portId"), connection)
        self.replaced: dict[int, dict[str, Any] | None] = {}  # index in current -> new or None
        self.added: list[dict[str, Any]] = []
        self.new_claims: list[Claim] = []
        self.released: list[str] = []
        self.refusals: list[Refusal] = []
        self.changes: list[str] = []
        self.warnings: list[str] = []
        self.offline = False
        managed = set(self.wanted) | set(self.claims)
        self.taken = {
            priority(c)
            for c in self.current
            if c.get("portId") not in managed or c.get("portId") in self.frozen
        } & {PRIMARY, SECONDARY}

    # -- the walk over NICs -------------------------------------------------------------------
    def plan(self) -> ProfilePlan:
        for nic in sorted(self.wanted):
            if nic not in self.frozen:
                self._hold(self.wanted[nic])
        for nic in sorted(set(self.claims) - set(self.wanted) - self.frozen):
            self._release(self.claims[nic])
        for connection in list(self.current):
            if self._unclaimed_ours(connection):
                self._remove_unclaimed(connection)
        changed = bool(self.replaced or self.added)
        connections = None
        if changed:
            connections = []
            for index, connection in enumerate(self.current):
                if index in self.replaced:
                    if self.replaced[index] is not None:
                        connections.append(self.replaced[index])
                else:
                    connections.append(connection)  # untouched: the very dict OneView gave us
            connections.extend(self.added)
        return ProfilePlan(
            connections,
            tuple(self.new_claims),
            tuple(self.released),
            self.offline and changed,
            tuple(self.refusals),
            tuple(self.changes),
            tuple(self.warnings),
        )

    def _index(self, connection: Mapping[str, Any]) -> int:
        return next(i for i, c in enumerate(self.current) if c is connection)

    def _hold(self, want: WantedNic) -> None:
        claim = self.claims.get(want.nic)
        connection = self.on_nic.get(want.nic)
        if claim is not None and connection is not None and _is_ours(connection, claim):
            self._retarget(want, connection, claim)
        elif connection is None:
            self._add(want, claim)
        elif claim is None and connection.get("name") == connection_name(self.cloud, want.nic):
            # Ours from before a lost record: take it as added, never as an original to restore.
            self._retarget(want, connection, Claim(want.nic, want.port_id, connection["name"]))
        elif self.existing == ADOPT:
            self._adopt(want, connection)
        else:
            self.refusals.append(
                Refusal(
                    want.port_id,
                    want.nic,
                    f"NIC {want.nic} already has connection {connection.get('id')} "
                    f"{connection.get('name')!r} (network {connection.get('networkUri')}); "
                    "[oneview] existing_connections = refuse, so the port is not connected",
                )
            )

    def _adopt(self, want: WantedNic, connection: Mapping[str, Any]) -> None:
        claim = Claim(
            want.nic,
            want.port_id,
            connection.get("name") or "",
            original=copy.deepcopy(dict(connection)),
            connection_id=connection.get("id"),
        )
        self.changes.append(
            f"take over connection {connection.get('id')} {connection.get('name')!r} on "
            f"{want.nic} for port {want.port_id}"
        )
        self._retarget(want, connection, claim, record=True)

    def _retarget(
        self, want: WantedNic, connection: Mapping[str, Any], claim: Claim, record: bool = False
    ) -> None:
        """Point a connection we hold at the wanted network (and boot priority, if asked)."""
        updated = copy.deepcopy(dict(connection))
        current = priority(connection)
        boot = self._boot(want, current, adopted=claim.adopted)
        if boot != current:
            updated["boot"] = {**(connection.get("boot") or {}), "priority": boot}
            self.offline = True
        if connection.get("networkUri") != want.network_uri:
            updated["networkUri"] = want.network_uri
        if updated != connection:
            self.replaced[self._index(connection)] = updated
            self.changes.append(f"{want.nic}: network {want.network_uri}, boot {boot}")
        held = Claim(
            want.nic, want.port_id, claim.connection_name, claim.original, claim.connection_id
        )
        if record or self.claims.get(want.nic) != held:
            self.new_claims.append(held)

    def _add(self, want: WantedNic, claim: Claim | None) -> None:
        if claim is not None and claim.adopted:
            self.warnings.append(
                f"the connection {claim.connection_id} we took over on {want.nic} is gone "
                "from the profile; adding our own instead (nothing to restore later)"
            )
        name = connection_name(self.cloud, want.nic)
        self.added.append(
            {
                "name": name,
                "functionType": "Ethernet",
                "networkUri": want.network_uri,
                "portId": want.nic,
                "boot": {"priority": self._boot(want, None, adopted=False)},
            }
        )
        self.offline = True
        self.changes.append(f"add {name} on {want.nic} (network {want.network_uri})")
        self.new_claims.append(Claim(want.nic, want.port_id, name))

    def _release(self, claim: Claim) -> None:
        connection = self.on_nic.get(claim.nic)
        self.released.append(claim.nic)
        if connection is None or not _is_ours(connection, claim):
            self.warnings.append(
                f"the connection we held on {claim.nic} was changed or removed by someone else; "
                "leaving the NIC as it is"
            )
            return
        index = self._index(connection)
        if claim.original is None:
            self.replaced[index] = None
            self.offline = True
            self.changes.append(f"remove {connection.get('name')} from {claim.nic}")
            return
        original = copy.deepcopy(dict(claim.original))
        if original != connection:
            renamed = original.get("name") != connection.get("name")
            if renamed or priority(original) != priority(connection):
                self.offline = True
            self.replaced[index] = original
            self.changes.append(
                f"restore connection {original.get('id')} {original.get('name')!r} on {claim.nic}"
            )

    def _unclaimed_ours(self, connection: Mapping[str, Any]) -> bool:
        """A connection with exactly the name we give ours, on a NIC no port, claim or waiting
        port holds: left by a crash before its claim was recorded, or a restored database."""
        nic = connection.get("portId")
        if not isinstance(nic, str) or nic in self.wanted or nic in self.claims:
            return False
        return nic not in self.frozen and connection.get("name") == connection_name(self.cloud, nic)

    def _remove_unclaimed(self, connection: Mapping[str, Any]) -> None:
        self.replaced[self._index(connection)] = None
        self.offline = True
        self.changes.append(
            f"remove {connection.get('name')} from {connection.get('portId')}: ours, but no "
            "port holds it (no record)"
        )

    # -- boot priority ------------------------------------------------------------------------
    def _boot(self, want: WantedNic, current: str | None, *, adopted: bool) -> str:
        """The priority a held connection gets; an adopted one keeps its own unless asked."""
        if want.bootable is None:
            if adopted and current is not None:
                return self._keep(current)
            return NOT_BOOTABLE
        if not want.bootable:
            return NOT_BOOTABLE
        if current in (PRIMARY, SECONDARY) and current not in self.taken:
            self.taken.add(current)
            return current
        for choice in (PRIMARY, SECONDARY):
            if choice not in self.taken:
                self.taken.add(choice)
                return choice
        self.warnings.append(
            f"port {want.port_id}: bootable, but Primary and Secondary boot are taken on this "
            f"server; {want.nic} stays NotBootable"
        )
        return NOT_BOOTABLE

    def _keep(self, current: str) -> str:
        if current in (PRIMARY, SECONDARY):
            self.taken.add(current)
        return current


def port_progress(
    wanted: Iterable[WantedNic], actual: Iterable[Mapping[str, Any]]
) -> dict[str, bool]:
    """Per port: whether every NIC it needs carries its network in ``actual`` (pure)."""
    on_nic = {c.get("portId"): c for c in actual}
    done: dict[str, bool] = {}
    for want in wanted:
        connection = on_nic.get(want.nic)
        ok = connection is not None and connection.get("networkUri") == want.network_uri
        done[want.port_id] = done.get(want.port_id, True) and ok
    return done
