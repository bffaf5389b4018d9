"""The scale benchmark's view of OneView: exact convergence checks on the in-process simulator,
its request and task counts, the NICs ports are bound to, and drift made behind Neutron's back.

Reading the simulator's store directly (not over REST) keeps the benchmark's own polling out of
the request counts it reports, and costs the appliance nothing but a lock.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from oneview_simulator.server import SimulatorServer

NETWORKS = "/rest/ethernet-networks"
UPLINK_SETS = "/rest/uplink-sets"
LIGS = "/rest/logical-interconnect-groups"
LIS = "/rest/logical-interconnects"
HARDWARE = "/rest/server-hardware"
TAGGED = "US-Tagged"  # the uplink set physnet1 maps to (tools/neutron_api.py)


@dataclass(frozen=True)
class Nic:
    """A NIC a bare-metal port is bound to, with the MAC Ironic would send for it."""

    server_uri: str
    server_name: str
    profile_uri: str
    port_id: str
    mac: str
    takeover: bool  # the profile already has a connection there (changed in place)
    powered_on: bool

    @property
    def needs_power_cycle(self) -> bool:
        """OneView refuses to add a connection while the server runs; a takeover is in place."""
        return self.powered_on and not self.takeover


@dataclass(frozen=True)
class Carriers:
    """Network URIs of the LIG's US-Tagged template and of each LI's US-Tagged uplink set."""

    template: frozenset[str]
    uplink_sets: tuple[frozenset[str], ...]

    def carry(self, uri: str) -> bool:
        return uri in self.template and all(uri in s for s in self.uplink_sets)

    def mention(self, uri: str) -> bool:
        return uri in self.template or any(uri in s for s in self.uplink_sets)


class OneViewProbe:
    """Reads the simulated appliance in-process."""

    def __init__(self, sim: SimulatorServer) -> None:
        self.sim = sim
        self.appliance = sim.appliance
        self.store = sim.appliance.store
        self.logical_interconnects = len(self.store.members(LIS))

    # -- networks ----------------------------------------------------------------------------
    def carriers(self) -> Carriers:
        lig = self.store.members(LIGS)[0]
        template = next(t for t in lig["uplinkSets"] if t["name"] == TAGGED)
        sets = [u for u in self.store.members(UPLINK_SETS) if u["name"] == TAGGED]
        if len(sets) != self.logical_interconnects:
            raise RuntimeError(
                f"{len(sets)} {TAGGED} uplink sets for {self.logical_interconnects} LIs"
            )
        return Carriers(
            frozenset(template["networkUris"]),
            tuple(frozenset(u["networkUris"]) for u in sets),
        )

    def uris_by_vlan(self) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for network in self.store.members(NETWORKS):
            if network.get("ethernetNetworkType") == "Tagged":
                found.setdefault(network["vlanId"], []).append(network["uri"])
        return found

    def mirrored(self, vlans: list[int]) -> dict[int, str] | None:
        """Each VLAN's network once it exists exactly once and is in the LIG template and in
        every LI's uplink set; None while any is not."""
        by_vlan = self.uris_by_vlan()
        carriers = self.carriers()
        result = {}
        for vlan in vlans:
            uris = by_vlan.get(vlan, [])
            if len(uris) != 1 or not carriers.carry(uris[0]):
                return None
            result[vlan] = uris[0]
        return result

    def gone(self, vlans: list[int], uris: list[str]) -> bool:
        """No network with these VLANs any more, and none of ``uris`` in any uplink set."""
        by_vlan = self.uris_by_vlan()
        if any(vlan in by_vlan for vlan in vlans):
            return False
        carriers = self.carriers()
        return not any(carriers.mention(uri) for uri in uris)

    # -- servers -----------------------------------------------------------------------------
    def blades(self) -> list[dict[str, Any]]:
        """Servers with a profile on an enclosure (Virtual Connect), in fixture order."""
        return [
            h
            for h in self.store.members(HARDWARE)
            if h.get("locationUri") and h.get("serverProfileUri")
        ]

    def connections(self, profile_uri: str) -> list[dict[str, Any]]:
        profile = self.store.find(profile_uri) or {}
        return list((profile.get("connectionSettings") or {}).get("connections") or [])

    def connected(self, nic: Nic, network_uri: str) -> bool:
        return self.all_connected([nic], [network_uri])

    def all_connected(self, nics: list[Nic], network_uris: list[str]) -> bool:
        """Every NIC's connection carries its network (each profile read once)."""
        profiles: dict[str, set[tuple[str, str]]] = {}
        for nic, uri in zip(nics, network_uris, strict=True):
            if nic.profile_uri not in profiles:
                profiles[nic.profile_uri] = {
                    (c.get("portId"), c.get("networkUri"))
                    for c in self.connections(nic.profile_uri)
                }
            if (nic.port_id, uri) not in profiles[nic.profile_uri]:
                return False
        return True

    def power(self, server_uri: str) -> str:
        return (self.store.find(server_uri) or {}).get("powerState", "?")

    # -- counters ----------------------------------------------------------------------------
    def clear_counters(self) -> None:
        """Forget the request counts and the task history."""
        self.appliance.clear_request_log()

    def counts(self) -> Counter[str]:
        """Requests since the last clear, by ``METHOD /path`` (never truncated)."""
        with self.appliance._log_lock:
            return Counter(self.appliance.request_counts)

    def requests(self) -> int:
        return sum(self.counts().values())

    def tasks(self) -> list[dict[str, Any]]:
        return self.appliance.task_history


# -- ports: which NICs ------------------------------------------------------------------------
def _nic_macs(hardware: dict[str, Any]) -> dict[str, str]:
    return {
        f"{slot['location']} {slot['slotNumber']}:{port['portNumber']}-{v['portFunction']}": v[
            "mac"
        ].lower()
        for slot in hardware["portMap"]["deviceSlots"]
        for port in slot["physicalPorts"]
        for v in port.get("virtualPorts") or []
    }


def _server_nics(probe: OneViewProbe, hardware: dict[str, Any]) -> tuple[list[Nic], list[Nic]]:
    """The server's NICs with a profile connection (taken over) and without (free)."""
    profile_uri = hardware["serverProfileUri"]
    held = {c["portId"]: c["mac"].lower() for c in probe.connections(profile_uri)}
    on = hardware["powerState"] == "On"
    taken, free = [], []
    for port_id, mac in _nic_macs(hardware).items():
        takeover = port_id in held
        nic = Nic(
            hardware["uri"],
            hardware["name"],
            profile_uri,
            port_id,
            held.get(port_id, mac),
            takeover,
            on,
        )
        (taken if takeover else free).append(nic)
    return taken, free


def _interleave(first: list[Nic], second: list[Nic]) -> list[Nic]:
    merged = []
    for index in range(max(len(first), len(second))):
        merged += first[index : index + 1] + second[index : index + 1]
    return merged


def nic_plan(probe: OneViewProbe, count: int) -> list[Nic]:
    """``count`` distinct NICs, round-robin over the servers.  A server's first NIC is a taken
    over one on servers 0, 1 (mod 4) and a free one on 2, 3; blades alternate On and Off, so the
    first 64 ports cover every case: On or Off, in place or a new connection."""
    servers = probe.blades()
    orders = []
    for index, hardware in enumerate(servers):
        taken, free = _server_nics(probe, hardware)
        orders.append(_interleave(taken, free) if index % 4 < 2 else _interleave(free, taken))
    capacity = sum(len(order) for order in orders)
    if count > capacity:
        raise ValueError(f"{count} ports but the site has only {capacity} NICs")
    plan = []
    for slot in range(max(len(order) for order in orders)):
        plan += [order[slot] for order in orders if slot < len(order)]
    return plan[:count]


def first_nic(probe: OneViewProbe, *, powered_on: bool, takeover: bool) -> Nic:
    """The first NIC (fixture order) of that kind, for a single-port measurement."""
    for hardware in probe.blades():
        taken, free = _server_nics(probe, hardware)
        for nic in taken if takeover else free:
            if nic.powered_on == powered_on:
                return nic
    raise ValueError(f"no {'taken' if takeover else 'free'} NIC on a server powered {powered_on}")


def tasks_per_server(nics: list[Nic]) -> int:
    """An ideal client's sequential tasks: servers in parallel, one profile PUT each (all its
    ports at once), framed by a power-off and a power-on where OneView requires it."""
    by_server: dict[str, list[Nic]] = {}
    for nic in nics:
        by_server.setdefault(nic.server_uri, []).append(nic)
    return max(1 + 2 * any(n.needs_power_cycle for n in group) for group in by_server.values())


# -- drift behind Neutron's back --------------------------------------------------------------
def drop_from_uplink_sets(probe: OneViewProbe, uris: list[str]) -> set[str]:
    """Remove each network from one LI's US-Tagged uplink set (LIs in turn); the sets changed."""
    touched = set()
    with probe.store.lock:
        sets = [u for u in probe.store.members(UPLINK_SETS) if u["name"] == TAGGED]
        for index, uri in enumerate(uris):
            uplink_set = sets[index % len(sets)]
            uplink_set["networkUris"] = [u for u in uplink_set["networkUris"] if u != uri]
            touched.add(uplink_set["uri"])
        for uplink_set in sets:
            if uplink_set["uri"] in touched:
                probe.store.replace(uplink_set["uri"], uplink_set)
    return touched


def move_connections(probe: OneViewProbe, nics: list[Nic], network_uri: str) -> set[str]:
    """Point each NIC's connection at another network; the profiles changed."""
    touched = set()
    with probe.store.lock:
        for nic in nics:
            profile = probe.store.get(nic.profile_uri)
            for connection in profile["connectionSettings"]["connections"]:
                if connection["portId"] == nic.port_id:
                    connection["networkUri"] = network_uri
            probe.store.replace(nic.profile_uri, profile)
            touched.add(nic.profile_uri)
    return touched


def written(counts: Counter[str]) -> dict[str, int]:
    """Writes (anything but GET) by ``METHOD /path``, logins and logouts left out."""
    return {
        key: n
        for key, n in counts.items()
        if not key.startswith("GET ") and "/rest/login-sessions" not in key
    }


def busy_seconds(tasks: list[dict[str, Any]], until: float | None = None) -> float:
    """How long at least one of ``tasks`` was running (the union of their intervals)."""
    intervals = sorted(
        (t["started"], t["ended"] if t["ended"] is not None else (until or time.monotonic()))
        for t in tasks
    )
    total, current_start, current_end = 0.0, None, None
    for start, end in intervals:
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total
