"""Resolve the configured physnet mappings against what OneView really has.

``resolve`` is pure (plain dicts in, a ``Topology`` and a list of problems out) so every way an
operator can get the mappings wrong is testable without an appliance; ``read_topology`` is the
thin I/O edge that fetches the dicts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from networking_oneview.conf import Mappings, UplinkSetRef
from networking_oneview.oneview.paths import LIGS, LIS, NETWORKS, UPLINK_SETS

TAGGED, UNTAGGED = "Tagged", "Untagged"


@dataclass(frozen=True)
class MappedUplinkSet:
    """A configured uplink set: its LIG template and the live copies in each LI."""

    ref: UplinkSetRef
    network_type: str  # Tagged (vlan networks) or Untagged (flat networks)
    lig_uri: str
    li_uplink_set_uris: tuple[str, ...]
    by_li: tuple[tuple[str, str], ...] = ()  # (logical interconnect uri, its uplink set uri)


@dataclass(frozen=True)
class Problem:
    """A mapping OneView cannot honour. ``fatal`` ones are configuration mistakes that stop
    neutron-server; the others (an object not created yet) only disable that mapping."""

    message: str
    fatal: bool = False

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class NetworkSummary:
    """An ethernet network as the last topology read saw it."""

    uri: str
    name: str
    ethernet_type: str
    vlan: int | None


@dataclass(frozen=True)
class VlanUser:
    """A network that already carries a VLAN in a mapped uplink set."""

    uri: str
    name: str
    holder: str  # the LIG template or logical-interconnect uplink set that carries it


@dataclass(frozen=True)
class Topology:
    """Where each physnet's networks go in OneView, and what the mapped uplink sets carry."""

    uplink_sets: dict[str, tuple[MappedUplinkSet, ...]] = field(default_factory=dict)
    flat_networks: dict[str, str] = field(default_factory=dict)  # physnet -> network URI
    enclosure_lis: dict[str, tuple[str, ...]] = field(default_factory=dict)  # enclosure -> LIs
    # (physnet, VLAN) -> networks carrying that VLAN in an uplink set mapped for the physnet.
    vlan_users: dict[tuple[str, int], tuple[VlanUser, ...]] = field(default_factory=dict)
    networks: dict[str, NetworkSummary] = field(default_factory=dict)  # by URI

    @functools.cached_property
    def vlans(self) -> dict[str, int]:
        """Network URI -> VLAN, for Tagged networks."""
        return {
            uri: n.vlan
            for uri, n in self.networks.items()
            if n.ethernet_type == TAGGED and n.vlan is not None
        }

    @functools.cached_property
    def _by_name(self) -> dict[str, NetworkSummary]:
        return {n.name: n for n in self.networks.values()}

    def network_named(self, name: str) -> NetworkSummary | None:
        return self._by_name.get(name)

    def vlan_taken(self, physnet: str | None, vlan: int | None, cloud: str) -> VlanUser | None:
        """A network not made by ``cloud`` that already carries ``vlan`` where a new network of
        ``physnet`` would go (OneView allows one network per VLAN in an uplink set)."""
        if physnet is None or vlan is None:
            return None
        return next(
            (u for u in self.vlan_users.get((physnet, vlan), ()) if not is_ours(u.name, cloud)),
            None,
        )

    def for_segment(self, network_type: str, physnet: str | None) -> tuple[MappedUplinkSet, ...]:
        """Uplink sets a Neutron segment's OneView network joins (empty when unmapped)."""
        wanted = {"vlan": TAGGED, "flat": UNTAGGED}.get(network_type)
        if wanted is None or physnet is None:
            return ()
        return tuple(u for u in self.uplink_sets.get(physnet, ()) if u.network_type == wanted)

    def manual_network(self, network_type: str, physnet: str | None) -> str | None:
        if network_type != "flat" or physnet is None:
            return None
        return self.flat_networks.get(physnet)

    def uplink_sets_reaching(
        self, network_type: str, physnet: str | None, enclosure_uri: str | None
    ) -> tuple[str, ...]:
        """The live uplink sets that must carry a segment's network for it to reach a server in
        ``enclosure_uri`` (the mapped uplink sets of that enclosure's logical interconnects)."""
        lis = set(self.enclosure_lis.get(enclosure_uri or "", ()))
        return tuple(
            uplink_set
            for mapped in self.for_segment(network_type, physnet)
            for li, uplink_set in mapped.by_li
            if li in lis
        )

    def serves(self, network_type: str, physnet: str | None) -> bool:
        return bool(
            self.for_segment(network_type, physnet) or self.manual_network(network_type, physnet)
        )


def is_ours(name: str, cloud: str) -> bool:
    """Whether a OneView network name carries this cloud's marker (see reconcile/networks)."""
    return name.startswith(f"{cloud}_")


def _lig_id(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def resolve(
    mappings: Mappings,
    ligs: list[dict[str, Any]],
    lis: list[dict[str, Any]],
    uplink_sets: list[dict[str, Any]],
    networks: list[dict[str, Any]],
) -> tuple[Topology, list[Problem]]:
    """Match the mappings to OneView objects; return what resolved and what is wrong."""
    problems: list[Problem] = []
    ligs_by_id = {_lig_id(lig["uri"]): lig for lig in ligs}
    resolved: dict[str, tuple[MappedUplinkSet, ...]] = {}
    for physnet, refs in sorted(mappings.uplink_sets.items()):
        found: list[MappedUplinkSet] = []
        for ref in refs:
            mapped = _resolve_ref(physnet, ref, ligs_by_id, lis, uplink_sets, problems)
            if mapped is not None:
                found.append(mapped)
        _check_one_per_type(physnet, found, problems)
        resolved[physnet] = tuple(found)
    flat: dict[str, str] = {}
    networks_by_id = {_lig_id(n["uri"]): n for n in networks}
    for physnet, network_id in sorted(mappings.flat_networks.items()):
        network = networks_by_id.get(network_id)
        if network is None:
            problems.append(
                Problem(
                    f"flat_net_mappings: OneView network {network_id} for physnet {physnet!r} "
                    "does not exist; expected the id of an existing OneView Ethernet network "
                    "(the UUID at the end of its URI)"
                )
            )
            continue
        flat[physnet] = network["uri"]
    enclosure_lis: dict[str, list[str]] = {}
    for li in lis:
        for enclosure in li.get("enclosureUris") or []:
            enclosure_lis.setdefault(enclosure, []).append(li["uri"])
    lis_by_enclosure = {k: tuple(sorted(v)) for k, v in enclosure_lis.items()}
    users = _vlan_users(resolved, ligs_by_id, uplink_sets, networks)
    summaries = {
        n["uri"]: NetworkSummary(
            n["uri"],
            n.get("name", ""),
            n.get("ethernetNetworkType", ""),
            int(n["vlanId"]) if isinstance(n.get("vlanId"), int) else None,
        )
        for n in networks
        if n.get("uri")
    }
    return Topology(resolved, flat, lis_by_enclosure, users, summaries), problems


def _vlan_users(
    resolved: dict[str, tuple[MappedUplinkSet, ...]],
    ligs_by_id: dict[str, dict[str, Any]],
    uplink_sets: list[dict[str, Any]],
    networks: list[dict[str, Any]],
) -> dict[tuple[str, int], tuple[VlanUser, ...]]:
    """Which networks carry which VLAN in each physnet's Tagged uplink sets (LIG and LIs)."""
    by_uri = {n["uri"]: n for n in networks if n.get("uri")}
    live = {u["uri"]: u for u in uplink_sets if u.get("uri")}
    users: dict[tuple[str, int], list[VlanUser]] = {}
    for physnet, mapped_sets in resolved.items():
        for mapped in mapped_sets:
            if mapped.network_type != TAGGED:
                continue
            lig = ligs_by_id.get(_lig_id(mapped.lig_uri)) or {}
            template = next(
                (t for t in lig.get("uplinkSets", []) if t.get("name") == mapped.ref.name), {}
            )
            holders = [(f"LIG {lig.get('name')} / {mapped.ref.name}", template)]
            holders += [
                (f"uplink set {uri}", live.get(uri) or {}) for uri in mapped.li_uplink_set_uris
            ]
            for label, holder in holders:
                for uri in holder.get("networkUris") or []:
                    network = by_uri.get(uri)
                    if network is None or network.get("vlanId") is None:
                        continue
                    key = (physnet, int(network["vlanId"]))
                    users.setdefault(key, []).append(VlanUser(uri, network.get("name", ""), label))
    return {key: tuple(value) for key, value in users.items()}


def _resolve_ref(
    physnet: str,
    ref: UplinkSetRef,
    ligs_by_id: dict[str, dict[str, Any]],
    lis: list[dict[str, Any]],
    uplink_sets: list[dict[str, Any]],
    problems: list[Problem],
) -> MappedUplinkSet | None:
    lig = ligs_by_id.get(ref.lig_id)
    if lig is None:
        problems.append(
            Problem(
                f"uplinkset_mappings: logical interconnect group {ref.lig_id} "
                f"(physnet {physnet!r}) does not exist in OneView; expected the id of an existing "
                "LIG (the UUID at the end of its URI)"
            )
        )
        return None
    template = next((t for t in lig.get("uplinkSets", []) if t.get("name") == ref.name), None)
    if template is None:
        names = sorted(t.get("name", "") for t in lig.get("uplinkSets", []))
        problems.append(
            Problem(
                f"uplinkset_mappings: LIG {lig.get('name')!r} ({ref.lig_id}) has no uplink set "
                f"named {ref.name!r} (physnet {physnet!r}); it has {names}"
            )
        )
        return None
    network_type = template.get("ethernetNetworkType")
    if template.get("networkType", "Ethernet") != "Ethernet" or network_type not in (
        TAGGED,
        UNTAGGED,
    ):
        problems.append(
            Problem(
                f"uplinkset_mappings: uplink set {ref} (physnet {physnet!r}) is "
                f"{template.get('networkType')}/{network_type}; expected an Ethernet uplink set "
                "that is Tagged (vlan) or Untagged (flat)",
                fatal=True,
            )
        )
        return None
    li_uris = {li["uri"] for li in lis if li.get("logicalInterconnectGroupUri") == lig["uri"]}
    pairs = tuple(
        sorted(
            (u["logicalInterconnectUri"], u["uri"])
            for u in uplink_sets
            if u.get("logicalInterconnectUri") in li_uris and u.get("name") == ref.name
        )
    )
    live = tuple(sorted(uri for _, uri in pairs))
    return MappedUplinkSet(ref, network_type, lig["uri"], live, pairs)


def _check_one_per_type(
    physnet: str, found: list[MappedUplinkSet], problems: list[Problem]
) -> None:
    seen: dict[tuple[str, str], MappedUplinkSet] = {}
    for mapped in found:
        key = (mapped.lig_uri, mapped.network_type)
        if key in seen:
            problems.append(
                Problem(
                    f"uplinkset_mappings: physnet {physnet!r} is mapped to two "
                    f"{mapped.network_type} uplink sets of one LIG ({seen[key].ref} and "
                    f"{mapped.ref}); a network can join only one of them",
                    fatal=True,
                )
            )
        seen[key] = mapped


def read_topology(client: Any, mappings: Mappings) -> tuple[Topology, list[Problem]]:
    """Fetch what ``resolve`` needs from OneView (four paged collection reads)."""
    return resolve(
        mappings,
        client.get_all(LIGS),
        client.get_all(LIS),
        client.get_all(UPLINK_SETS),
        client.get_all(NETWORKS),
    )
