"""What must be true once the faults stop and the driver caught up: pure checks over snapshots.

Neutron is the truth for what should exist; OneView must match it exactly.  Every function takes
plain data (``NeutronState``, ``OneViewState``, ``Baseline``) and returns violations, each naming
the object and what differs, so the checker can be tested with hand-made snapshots and proven to
fail (``tests/unit/chaos``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

PRIMARY, SECONDARY, NOT_BOOTABLE = "Primary", "Secondary", "NotBootable"


@dataclass(frozen=True)
class NeutronNetwork:
    id: str
    network_type: str
    physnet: str | None
    vlan: int | None


@dataclass(frozen=True)
class NeutronPort:
    id: str
    network_id: str
    mac: str
    host: str  # binding:host_id; "" once unbound
    vnic_type: str
    status: str
    bootable: bool | None = None


@dataclass
class NeutronState:
    networks: list[NeutronNetwork] = field(default_factory=list)
    ports: list[NeutronPort] = field(default_factory=list)


@dataclass
class OneViewState:
    """OneView as the driver sees it: networks, uplink-set members, profiles, power."""

    networks: list[dict[str, Any]] = field(default_factory=list)  # every ethernet network
    carriers: dict[str, list[str]] = field(default_factory=dict)  # carrier -> network URIs
    connections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # server -> conns
    power: dict[str, str] = field(default_factory=dict)  # server -> powerState
    nic_of_mac: dict[str, tuple[str, str]] = field(default_factory=dict)  # mac -> (server, NIC)


@dataclass
class Baseline:
    """Foreign objects and power states before the run: they must come out byte-identical."""

    networks: dict[str, dict[str, Any]]  # uri -> document
    carriers: dict[str, list[str]]  # carrier -> foreign member URIs, in order
    connections: dict[str, list[dict[str, Any]]]  # server -> foreign connections
    power: dict[str, str]


@dataclass(frozen=True)
class Mapping:
    """Which Neutron networks we mirror and where: ``physnet`` onto the ``carriers``."""

    cloud: str
    physnet: str
    carriers: tuple[str, ...]  # the LIG's template and every LI's uplink set for the physnet


def is_ours_network(document: dict[str, Any], cloud: str) -> bool:
    return str(document.get("name", "")).startswith(f"{cloud}_")


def is_ours_connection(connection: dict[str, Any], cloud: str) -> bool:
    return str(connection.get("name", "")).startswith(f"neutron-{cloud}-")


def check(
    neutron: NeutronState, oneview: OneViewState, baseline: Baseline, mapping: Mapping
) -> list[str]:
    """Every violation, empty when Neutron and OneView agree exactly."""
    uri_of = {}
    violations = check_networks(neutron, oneview, mapping, uri_of)
    violations += check_memberships(oneview, mapping, uri_of)
    violations += check_ports(neutron, oneview, mapping, uri_of)
    violations += check_foreign(oneview, baseline, mapping)
    return violations


def wanted_networks(neutron: NeutronState, mapping: Mapping) -> dict[str, str]:
    """Neutron network id -> the OneView name it must have (mapped VLAN networks)."""
    return {
        n.id: f"{mapping.cloud}_{mapping.physnet}_{n.vlan}"
        for n in neutron.networks
        if n.network_type == "vlan" and n.physnet == mapping.physnet
    }


def check_networks(
    neutron: NeutronState, oneview: OneViewState, mapping: Mapping, uri_of: dict[str, str]
) -> list[str]:
    """Each mapped network exactly once with its VLAN; none of ours without a Neutron network.

    Fills ``uri_of`` (Neutron network id -> OneView URI) for the checks that follow.
    """
    violations = []
    ours = [n for n in oneview.networks if is_ours_network(n, mapping.cloud)]
    by_name = Counter(n["name"] for n in ours)
    wanted = wanted_networks(neutron, mapping)
    for network_id, name in sorted(wanted.items()):
        found = [n for n in ours if n["name"] == name]
        if not found:
            violations.append(f"network {network_id}: {name} missing in OneView")
            continue
        if by_name[name] > 1:
            violations.append(f"network {network_id}: {name} in OneView {by_name[name]} times")
        vlan = int(name.rsplit("_", 1)[1])
        if found[0].get("vlanId") != vlan:
            violations.append(f"network {name}: VLAN {found[0].get('vlanId')} instead of {vlan}")
        uri_of[network_id] = found[0]["uri"]
    for name in sorted(set(by_name) - set(wanted.values())):
        violations.append(f"OneView network {name}: leftover, no Neutron network has it")
    return violations


def check_memberships(oneview: OneViewState, mapping: Mapping, uri_of: dict[str, str]) -> list[str]:
    """Every mapped network in every carrier exactly once; none of ours that should not be."""
    violations = []
    ours = {n["uri"] for n in oneview.networks if is_ours_network(n, mapping.cloud)}
    wanted = set(uri_of.values())
    for carrier in mapping.carriers:
        members = oneview.carriers.get(carrier)
        if members is None:
            violations.append(f"{carrier}: missing in OneView")
            continue
        counts = Counter(members)
        for uri in sorted(wanted):
            if counts[uri] != 1:
                violations.append(f"{carrier}: has {uri} {counts[uri]} times instead of once")
        for uri in sorted((set(members) & ours) - wanted):
            violations.append(f"{carrier}: leftover member {uri}")
    return violations


def is_bound(port: NeutronPort) -> bool:
    return port.vnic_type == "baremetal" and bool(port.host)


def check_ports(
    neutron: NeutronState, oneview: OneViewState, mapping: Mapping, uri_of: dict[str, str]
) -> list[str]:
    """Each bound port has exactly its connection (network, boot priority), and is ACTIVE if
    and only if it has; no connection of ours without a bound port."""
    violations: list[str] = []
    expected: dict[tuple[str, str], NeutronPort] = {}
    for port in neutron.ports:
        if not is_bound(port):
            if port.status == "ACTIVE" and port.vnic_type == "baremetal":
                violations.append(f"port {port.id}: ACTIVE but not bound")
            continue
        location = oneview.nic_of_mac.get(port.mac.lower())
        if location is None or port.network_id not in uri_of:
            violations.append(f"port {port.id}: bound to no known NIC or mapped network")
            continue
        if location in expected:
            violations.append(f"port {port.id}: shares {location} with {expected[location].id}")
        expected[location] = port
    for server in sorted(oneview.connections):
        violations += _check_server(server, expected, oneview, mapping, uri_of)
    return violations


def _check_server(
    server: str,
    expected: dict[tuple[str, str], NeutronPort],
    oneview: OneViewState,
    mapping: Mapping,
    uri_of: dict[str, str],
) -> list[str]:
    violations = []
    connections = oneview.connections[server]
    ours = [c for c in connections if is_ours_connection(c, mapping.cloud)]
    on_nic = Counter(c.get("portId") for c in ours)
    wanted = {nic: port for (name, nic), port in expected.items() if name == server}
    for nic, count in sorted(on_nic.items()):
        if count > 1:
            violations.append(f"{server} {nic}: {count} connections of ours")
        if nic not in wanted:
            violations.append(f"{server} {nic}: leftover connection of ours")
    for nic, port in sorted(wanted.items()):
        found = [c for c in ours if c.get("portId") == nic]
        right = bool(found) and found[0].get("networkUri") == uri_of[port.network_id]
        if not found:
            violations.append(f"port {port.id}: no connection on {server} {nic}")
        elif not right:
            violations.append(f"port {port.id}: {server} {nic} on {found[0].get('networkUri')}")
        if right != (port.status == "ACTIVE"):
            violations.append(f"port {port.id}: status {port.status}, connection right: {right}")
    violations += _check_boot(server, wanted, connections, mapping)
    return violations


def _priority(connection: dict[str, Any]) -> str:
    return (connection.get("boot") or {}).get("priority") or NOT_BOOTABLE


def _check_boot(
    server: str, wanted: dict[str, NeutronPort], connections: list[dict[str, Any]], mapping: Mapping
) -> list[str]:
    """Ports not asking to boot are NotBootable; bootable ones share the free Primary and
    Secondary (distinct), and only as many stay NotBootable as there was no free priority for."""
    violations = []
    foreign_taken = {
        _priority(c) for c in connections if not is_ours_connection(c, mapping.cloud)
    } & {PRIMARY, SECONDARY}
    free = {PRIMARY, SECONDARY} - foreign_taken
    got: dict[str, str] = {}
    for connection in connections:
        port = wanted.get(connection.get("portId"))
        if port is not None and is_ours_connection(connection, mapping.cloud):
            got[port.id] = _priority(connection)
    bootable = [p for p in wanted.values() if p.bootable]
    for port in wanted.values():
        if port.id in got and not port.bootable and got[port.id] != NOT_BOOTABLE:
            violations.append(f"port {port.id}: boot {got[port.id]}, but it does not boot")
    booting = [got[p.id] for p in bootable if p.id in got]
    boots = [b for b in booting if b != NOT_BOOTABLE]
    if len(boots) != len(set(boots)) or not set(boots) <= free:
        violations.append(f"{server}: boot priorities {sorted(booting)} with {sorted(free)} free")
    if len(boots) != min(len(booting), len(free)):
        violations.append(f"{server}: {len(boots)} bootable ports boot, {len(free)} were free")
    return violations


def check_foreign(oneview: OneViewState, baseline: Baseline, mapping: Mapping) -> list[str]:
    """Foreign networks, uplink-set members and connections byte-identical; power as before."""
    violations = []
    now = {n["uri"]: n for n in oneview.networks if not is_ours_network(n, mapping.cloud)}
    for uri in sorted(set(now) | set(baseline.networks)):
        if now.get(uri) != baseline.networks.get(uri):
            violations.append(f"foreign network {uri}: changed")
    ours = {n["uri"] for n in oneview.networks if is_ours_network(n, mapping.cloud)}
    for carrier, before in sorted(baseline.carriers.items()):
        members = [u for u in oneview.carriers.get(carrier, []) if u not in ours]
        if members != before:
            violations.append(f"{carrier}: foreign members {members} instead of {before}")
    for server, before in sorted(baseline.connections.items()):
        conns = oneview.connections.get(server, [])
        foreign = [c for c in conns if not is_ours_connection(c, mapping.cloud)]
        if foreign != before:
            violations.append(f"{server}: foreign connections changed")
    for server, state in sorted(baseline.power.items()):
        if oneview.power.get(server) != state:
            violations.append(f"{server}: power {oneview.power.get(server)} instead of {state}")
    return violations


def baseline_of(oneview: OneViewState, mapping: Mapping) -> Baseline:
    """What the checker holds foreign objects to: their state before the run."""
    ours = {n["uri"] for n in oneview.networks if is_ours_network(n, mapping.cloud)}
    return Baseline(
        networks={n["uri"]: n for n in oneview.networks if n["uri"] not in ours},
        carriers={
            carrier: [u for u in members if u not in ours]
            for carrier, members in oneview.carriers.items()
        },
        connections={
            server: [c for c in conns if not is_ours_connection(c, mapping.cloud)]
            for server, conns in oneview.connections.items()
        },
        power=dict(oneview.power),
    )
