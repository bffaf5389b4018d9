"""What a server's bound ports need from its profile: per NIC, a network that reaches it.

A port is ready when its bound segment has a OneView network (ours, or the manually mapped flat
one) that is in the mapped uplink set of the logical interconnect serving the server's
enclosure; otherwise its NICs are left as they are (frozen) and the port waits with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from networking_oneview.db import claims as claims_db
from networking_oneview.db import networks as networks_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db.ports import PortRecord
from networking_oneview.oneview import OneViewClient
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.connections import WantedNic
from networking_oneview.topology import Topology


@dataclass(frozen=True)
class Needs:
    wanted: list[WantedNic]
    frozen: set[str] = field(default_factory=set)  # NICs of ports not ready: left untouched
    waiting: dict[str, str] = field(default_factory=dict)  # port id -> why it is not ready


def one_port_per_nic(
    rows: Sequence[PortRecord], holders: Mapping[str, str], server: str | None
) -> tuple[list[PortRecord], dict[str, str]]:
    """The ports that may set their NICs, and why each other port waits.

    Two ports bound to one NIC before either reached OneView (the driver refuses a NIC another
    port holds, but two bindings can race) must not both be applied, the last one silently
    winning.  The port whose claim OneView already carries keeps the NIC, else the one Neutron
    reports ACTIVE, else the first by port id; the others wait, naming the holder.
    """

    def rank(row: PortRecord) -> tuple[int, int, str]:
        claimed = any(holders.get(n.nic) == row.port_id for n in row.nics)
        return (0 if claimed else 1, 0 if row.state == ports_db.ACTIVE else 1, row.port_id)

    taken: dict[str, str] = {}
    allowed, waiting = [], {}
    for row in sorted(rows, key=rank):
        clash = next((n.nic for n in row.nics if n.nic in taken), None)
        if clash is None:
            taken.update({n.nic: row.port_id for n in row.nics})
            allowed.append(row)
        else:
            waiting[row.port_id] = (
                f"NIC {clash} of server hardware {server!r} is held by port {taken[clash]}; "
                "unbind or delete that port, or bind this one to another NIC"
            )
    return [row for row in rows if row in allowed], waiting


class NicNeeds:
    """Works out, for one server, which network each NIC of its bound ports must carry."""

    def __init__(self, client: OneViewClient, topology: Callable[[], Topology]) -> None:
        self.client = client
        self.topology = topology

    def of(self, context, hardware, rows, bound) -> Needs:
        """The NICs ready to be set, and those to leave alone (their port is not ready)."""
        holders = {
            c.claim.nic: c.claim.port_id
            for c in claims_db.claims(context, server_hardware_uri=hardware.get("uri"))
        }
        rows, waiting = one_port_per_nic(rows, holders, hardware.get("name"))
        frozen: set[str] = set()
        wanted: list[WantedNic] = []
        uplink_cache: dict[str, dict[str, Any]] = {}
        for row in rows:
            network_uri, why = self._network_for(
                context, bound[row.port_id], hardware, uplink_cache
            )
            if network_uri is None:
                waiting[row.port_id] = why
                frozen |= {n.nic for n in row.nics}
                continue
            wanted += [WantedNic(n.nic, row.port_id, network_uri, n.bootable) for n in row.nics]
        return Needs(wanted, frozen, waiting)

    def _network_for(self, context, bound, hardware, cache) -> tuple[str | None, str]:
        segment = next(
            (
                s
                for s in desired.network_segments(context, bound.network_id)
                if s.id == bound.segment_id
            ),
            None,
        )
        if segment is None:
            return None, f"its bound segment {bound.segment_id} is gone"
        topology = self.topology()
        manual = topology.manual_network(segment.network_type, segment.physnet)
        if manual:
            return manual, ""
        record = networks_db.owned_network_by_segment(context, segment.id)
        if record is None:
            return None, (
                f"waiting for the OneView network of segment {segment.id} "
                f"({segment.network_type} on {segment.physnet})"
            )
        why = self._unreachable(topology, segment, record.oneview_uri, hardware, cache)
        return (None, why) if why else (record.oneview_uri, "")

    def _unreachable(self, topology, segment, network_uri, hardware, cache) -> str | None:
        """Why the network does not reach the server (None when it does)."""
        uplink_sets = topology.uplink_sets_reaching(
            segment.network_type, segment.physnet, hardware.get("locationUri")
        )
        if not uplink_sets:
            return (
                f"no uplink set mapped for physnet {segment.physnet!r} belongs to the logical "
                f"interconnect of server hardware {hardware.get('name')!r}"
            )
        for uri in uplink_sets:
            if uri not in cache:
                cache[uri] = self.client.get(uri)
            if network_uri in (cache[uri].get("networkUris") or []):
                return None
        names = sorted({cache[u].get("name", u) for u in uplink_sets})
        return (
            f"network {network_uri} is not (yet) in uplink set {', '.join(names)} of the logical "
            f"interconnect serving server hardware {hardware.get('name')!r}, so it would not "
            "reach the server"
        )
