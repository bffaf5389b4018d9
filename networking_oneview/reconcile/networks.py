"""Plan OneView ethernet networks and uplink-set memberships for Neutron segments (pure).

One OneView network per mapped Neutron segment, named ``CLOUD_PHYSNET_VLAN`` (``CLOUD_PHYSNET_flat``
for a flat segment): the name depends only on what a segment can never change, so a rename is
never needed, several VLANs of one physnet can be created by one bulk request (OneView names bulk
networks ``PREFIX_VLAN``), and another cloud on the same appliance never collides with ours.
Networks named by release 1.x or by earlier releases of this one (``CLOUD_LABEL_SEGMENTID``)
keep their names.  Only networks in our ownership records are ever deleted; in shared uplink sets
only our own members are added or removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def physnet_label(physnet: str) -> str:
    return _UNSAFE.sub("-", physnet).strip("-") or "physnet"


def bulk_prefix(cloud: str, physnet: str) -> str:
    """The ``namePrefix`` of a bulk creation: its networks get exactly ``oneview_name``."""
    return f"{cloud}_{physnet_label(physnet)}"


@dataclass(frozen=True)
class DesiredNetwork:
    """A Neutron segment that must exist as a OneView network."""

    segment_id: str
    network_id: str
    network_name: str
    physnet: str
    network_type: str  # vlan | flat
    segmentation_id: int | None

    def oneview_name(self, cloud: str) -> str:
        suffix = self.segmentation_id if self.network_type == "vlan" else "flat"
        return f"{bulk_prefix(cloud, self.physnet)}_{suffix}"

    @property
    def ethernet_type(self) -> str:
        return "Tagged" if self.network_type == "vlan" else "Untagged"

    def body(self, cloud: str) -> dict[str, Any]:
        """The POST body of this network."""
        return {
            "name": self.oneview_name(cloud),
            "ethernetNetworkType": self.ethernet_type,
            "vlanId": self.segmentation_id if self.network_type == "vlan" else 0,
            "purpose": "General",
            "smartLink": True,
            "privateNetwork": False,
        }

    def matches(self, network: Mapping[str, Any]) -> bool:
        """Whether an existing OneView network is what this segment needs (to adopt it)."""
        if network.get("ethernetNetworkType") != self.ethernet_type:
            return False
        return self.network_type != "vlan" or network.get("vlanId") == self.segmentation_id


class Owned(Protocol):
    """An ownership record of a OneView network (see networking_oneview.db)."""

    segment_id: str
    oneview_uri: str
    oneview_name: str


@dataclass(frozen=True)
class NetworkPlan:
    create: tuple[DesiredNetwork, ...] = ()
    adopt: tuple[tuple[DesiredNetwork, str], ...] = ()  # (segment, URI of our existing network)
    delete: tuple[Owned, ...] = ()  # ours, no longer wanted
    forget: tuple[Owned, ...] = ()  # ours, but gone from OneView: drop the record (and recreate)

    @property
    def empty(self) -> bool:
        return not (self.create or self.adopt or self.delete or self.forget)


def plan_networks(
    desired: Iterable[DesiredNetwork],
    owned: Iterable[Owned],
    actual: Mapping[str, Mapping[str, Any] | None],
    cloud: str,
    keep: Iterable[str] = (),
    existing: Mapping[str, Mapping[str, Any]] | None = None,
) -> NetworkPlan:
    """Compare wanted segments with our records and OneView; ``actual`` maps URI -> network.

    ``keep`` names segments that still exist in Neutron but are no longer mapped (an edited
    or mistyped mapping): their OneView networks stay, since tenants may still be using them;
    only a segment that is gone from Neutron takes its OneView network with it.  ``existing``
    maps a wanted name to the OneView network that already has it and no live record owns (a
    crash between create and record, a restored database, a segment re-created while its old
    network was still there): that network is adopted instead of created twice.
    """
    wanted = {d.segment_id: d for d in desired}
    kept = set(keep)
    existing = existing or {}
    create, adopt, delete, forget = [], [], [], []
    for record in owned:
        network = actual.get(record.oneview_uri)
        want = wanted.pop(record.segment_id, None)
        if network is None:
            forget.append(record)
            if want is not None:
                wanted[want.segment_id] = want
        elif want is None and record.segment_id not in kept:
            delete.append(record)
    for want in wanted.values():
        found = existing.get(want.oneview_name(cloud))
        if found is not None and want.matches(found):
            adopt.append((want, found["uri"]))
        else:
            create.append(want)
    return NetworkPlan(tuple(create), tuple(adopt), tuple(delete), tuple(forget))


@dataclass(frozen=True)
class MembershipPlan:
    """New networkUris of one uplink set (LIG template or LI uplink set), or no change."""

    network_uris: list[str] | None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = field(default=())
    clashes: tuple[tuple[str, str], ...] = ()  # (our network left out, member with its VLAN)


def plan_membership(
    current: Iterable[str],
    wanted_ours: Iterable[str],
    all_ours: Iterable[str],
    untagged: bool,
    vlans: Mapping[str, int] | None = None,
) -> MembershipPlan:
    """Add our wanted networks, drop our unwanted ones, keep every foreign member as it is.

    On an Untagged uplink set (one network only) a foreign occupant is a conflict: we report it
    and leave the uplink set alone rather than evict someone else's network.  On a Tagged one a
    VLAN may appear once: a network of ours whose VLAN (``vlans``: URI -> VLAN) a member already
    carries is left out and reported, so the rest of the batch still goes through.
    """
    current = list(current)
    wanted = list(dict.fromkeys(wanted_ours))
    ours = set(all_ours) | set(wanted)
    foreign = [uri for uri in current if uri not in ours]
    kept = [uri for uri in current if uri not in ours or uri in wanted]
    added, clashes = _without_vlan_clashes(
        [uri for uri in wanted if uri not in current], kept, vlans or {}, untagged
    )
    removed = tuple(uri for uri in current if uri in ours and uri not in wanted)
    if untagged and foreign and added:
        return MembershipPlan(None, conflicts=tuple(foreign))
    if untagged and len(wanted) > 1:
        return MembershipPlan(None, conflicts=tuple(wanted[1:]))
    if not added and not removed:
        return MembershipPlan(None, clashes=clashes)
    return MembershipPlan(kept + list(added), added, removed, clashes=clashes)


def _without_vlan_clashes(
    additions: list[str], kept: list[str], vlans: Mapping[str, int], untagged: bool
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    if untagged:
        return tuple(additions), ()
    carried = {vlans[uri]: uri for uri in kept if uri in vlans}
    added: list[str] = []
    clashes: list[tuple[str, str]] = []
    for uri in additions:
        vlan = vlans.get(uri)
        if vlan is not None and vlan in carried:
            clashes.append((uri, carried[vlan]))
            continue
        added.append(uri)
        if vlan is not None:
            carried[vlan] = uri
    return tuple(added), tuple(clashes)
