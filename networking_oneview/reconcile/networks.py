"""Plan OneView ethernet networks and uplink-set memberships for Neutron segments (pure).

One OneView network per mapped Neutron segment, named ``CLOUD_NAME_SEGMENTID`` so an operator
sees the Neutron name and another cloud on the same appliance never collides with ours.  Only
networks in our ownership records are ever renamed or deleted; in shared uplink sets only our own
members are added or removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

NAME_CHARS = 40  # of the Neutron network name kept in the OneView name
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


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
        label = _UNSAFE.sub("-", self.network_name).strip("-")[:NAME_CHARS] or "net"
        return f"{cloud}_{label}_{self.segment_id}"

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


class Owned(Protocol):
    """An ownership record of a OneView network (see networking_oneview.db)."""

    segment_id: str
    oneview_uri: str
    oneview_name: str


@dataclass(frozen=True)
class NetworkPlan:
    create: tuple[DesiredNetwork, ...] = ()
    rename: tuple[tuple[str, str], ...] = ()  # (uri, new name)
    delete: tuple[Owned, ...] = ()  # ours, no longer wanted
    forget: tuple[Owned, ...] = ()  # ours, but gone from OneView: drop the record (and recreate)

    @property
    def empty(self) -> bool:
        return not (self.create or self.rename or self.delete or self.forget)


def plan_networks(
    desired: Iterable[DesiredNetwork],
    owned: Iterable[Owned],
    actual: Mapping[str, Mapping[str, Any] | None],
    cloud: str,
    keep: Iterable[str] = (),
) -> NetworkPlan:
    """Compare wanted segments with our records and OneView; ``actual`` maps URI -> network.

    ``keep`` names segments that still exist in Neutron but are no longer mapped (an edited
    or mistyped mapping): their OneView networks stay, since tenants may still be using them;
    only a segment that is gone from Neutron takes its OneView network with it.
    """
    wanted = {d.segment_id: d for d in desired}
    kept = set(keep)
    create, rename, delete, forget = [], [], [], []
    for record in owned:
        network = actual.get(record.oneview_uri)
        want = wanted.pop(record.segment_id, None)
        if network is None:
            forget.append(record)
            if want is not None:
                create.append(want)
        elif want is None:
            if record.segment_id not in kept:
                delete.append(record)
        elif network.get("name") != want.oneview_name(cloud):
            rename.append((record.oneview_uri, want.oneview_name(cloud)))
    create.extend(wanted.values())
    return NetworkPlan(tuple(create), tuple(rename), tuple(delete), tuple(forget))


@dataclass(frozen=True)
class MembershipPlan:
    """New networkUris of one uplink set (LIG template or LI uplink set), or no change."""

    network_uris: list[str] | None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = field(default=())


def plan_membership(
    current: Iterable[str],
    wanted_ours: Iterable[str],
    all_ours: Iterable[str],
    untagged: bool,
) -> MembershipPlan:
    """Add our wanted networks, drop our unwanted ones, keep every foreign member as it is.

    On an Untagged uplink set (one network only) a foreign occupant is a conflict: we report it
    and leave the uplink set alone rather than evict someone else's network.
    """
    current = list(current)
    wanted = list(dict.fromkeys(wanted_ours))
    ours = set(all_ours) | set(wanted)
    foreign = [uri for uri in current if uri not in ours]
    kept = [uri for uri in current if uri not in ours or uri in wanted]
    added = tuple(uri for uri in wanted if uri not in current)
    removed = tuple(uri for uri in current if uri in ours and uri not in wanted)
    if untagged and foreign and added:
        return MembershipPlan(None, conflicts=tuple(foreign))
    if untagged and len(wanted) > 1:
        return MembershipPlan(None, conflicts=tuple(wanted[1:]))
    if not added and not removed:
        return MembershipPlan(None)
    return MembershipPlan(kept + list(added), added, removed)
