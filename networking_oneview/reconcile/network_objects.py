"""Reconcile OneView ethernet networks for Neutron networks (work kind ``network``).

Creates the OneView network of every mapped segment (several VLANs of one physnet in one bulk
request), adopts one that already exists under our name with no record (a crash between create
and record, a restored database), deletes ours whose segment is gone, and queues the LIG work
that puts them into uplink sets.  OneView itself takes a deleted network out of every uplink set,
so a deletion is one request.  Each Neutron network succeeds or fails on its own.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from networking_oneview.db import networks as networks_db
from networking_oneview.db import work as work_db
from networking_oneview.oneview import OneViewClient, OneViewError, OneViewNotFound
from networking_oneview.oneview.paths import NETWORKS, id_of
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.cache import SiteCache
from networking_oneview.reconcile.drift import Drift
from networking_oneview.reconcile.networks import (
    DesiredNetwork,
    NetworkPlan,
    bulk_prefix,
    plan_networks,
)
from networking_oneview.reconcile.outcomes import NotReady
from networking_oneview.topology import Topology

LOG = logging.getLogger(__name__)

BULK_MINIMUM = 2  # VLANs of one physnet in a batch worth one bulk request


@dataclass
class _Batch:
    """The plans of one batch of Neutron networks and what happened to each network."""

    plans: dict[str, NetworkPlan] = field(default_factory=dict)
    failures: dict[str, Exception] = field(default_factory=dict)
    physnets: set[str] = field(default_factory=set)

    def fail(self, network_id: str, error: Exception) -> None:
        self.failures.setdefault(network_id, error)


class NetworkObjects:
    """Makes OneView's ethernet networks match Neutron's mapped segments."""

    kind = work_db.KIND_NETWORK
    batch = 50

    def __init__(self, client: OneViewClient, cache: SiteCache, cloud: str) -> None:
        self.client = client
        self.cache = cache
        self.cloud = cloud

    def all_ids(self, context: Any) -> set[str]:
        ids = {s.network_id for s in desired.all_segments(context)}
        return ids | {o.network_id for o in networks_db.owned_networks(context)}

    def reconcile(self, context: Any, ids: list[str]) -> dict[str, Exception]:
        topology = self.cache.topology()
        batch = _Batch()
        for network_id in ids:
            try:
                batch.plans[network_id] = self._plan(context, network_id, topology, batch)
            except Exception as error:
                batch.fail(network_id, error)
        self._forget(context, batch)
        self._delete(context, batch)
        self._adopt(context, batch)
        self._create(context, batch)
        self._queue_memberships(context, batch.physnets, topology)
        return batch.failures

    def drift(self, context: Any, ids: list[str]) -> list[Drift]:
        topology = self.cache.topology()
        found: list[Drift] = []
        for network_id in ids:
            try:
                plan = self._plan(context, network_id, topology, _Batch())
            except NotReady as error:
                found.append(Drift(self.kind, network_id, "wait", str(error)))
                continue
            found += [
                Drift(
                    self.kind,
                    w.oneview_name(self.cloud),
                    "create",
                    f"segment {w.segment_id} "
                    f"of network {network_id} ({w.network_type} on {w.physnet}) has none",
                )
                for w in plan.create
            ]
            found += [
                Drift(
                    self.kind,
                    uri,
                    "adopt",
                    f"carries our name {w.oneview_name(self.cloud)} "
                    f"but has no record; segment {w.segment_id} wants it",
                )
                for w, uri in plan.adopt
            ]
            found += [
                Drift(
                    self.kind,
                    r.oneview_uri,
                    "delete",
                    f"segment {r.segment_id} of network {network_id} is gone from Neutron",
                )
                for r in plan.delete
            ]
            found += [
                Drift(
                    self.kind,
                    r.oneview_uri,
                    "forget",
                    f"recorded for segment {r.segment_id} but gone from OneView; recreated",
                )
                for r in plan.forget
            ]
        return found

    # -- planning --------------------------------------------------------------------------------
    def _plan(self, context, network_id: str, topology: Topology, batch: _Batch) -> NetworkPlan:
        segments = desired.network_segments(context, network_id)
        mapped = [s for s in segments if topology.for_segment(s.network_type, s.physnet)]
        wanted = [s.desired() for s in mapped]
        owned = networks_db.owned_networks(context, network_id=network_id)
        unmapped = {s.id for s in segments} - {w.segment_id for w in wanted}
        for record in owned:
            if record.segment_id in unmapped:
                LOG.warning(
                    "Segment %s of network %s is no longer mapped to OneView; keeping its "
                    "OneView network %s until the segment is deleted",
                    record.segment_id,
                    network_id,
                    record.oneview_uri,
                )
        self._wait_for_old_namesakes(context, wanted, owned)
        live = {s.id for s in segments}
        actual = {o.oneview_uri: self._actual(o.oneview_uri, topology) for o in owned}
        actual.update({o.oneview_uri: {} for o in owned if o.segment_id not in live})
        existing = self._unrecorded(wanted, topology)
        plan = plan_networks(wanted, owned, actual, self.cloud, keep=unmapped, existing=existing)
        batch.physnets |= {w.physnet for w in plan.create} | {w.physnet for w, _ in plan.adopt}
        return plan

    def _actual(self, uri: str, topology: Topology) -> dict[str, Any] | None:
        """The network behind a record: known to the last topology read, or read now (it may
        be newer than that read)."""
        summary = topology.networks.get(uri)
        if summary is not None:
            return {"uri": uri, "name": summary.name}
        try:
            return self.client.get(uri)
        except OneViewNotFound:
            return None

    def _wait_for_old_namesakes(self, context, wanted, owned) -> None:
        """A segment re-created with the VLAN of one whose OneView network is still being
        deleted must not take over that network (its deletion is queued): wait for it."""
        mine = {o.segment_id for o in owned}
        names = {w.oneview_name(self.cloud): w for w in wanted}
        for record in networks_db.owned_networks_named(context, list(names)):
            if record.segment_id not in mine:
                raise NotReady(
                    f"OneView network {record.oneview_name} ({record.oneview_uri}) still belongs "
                    f"to segment {record.segment_id}, which is being deleted"
                )

    def _unrecorded(
        self, wanted: Iterable[DesiredNetwork], topology: Topology
    ) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for want in wanted:
            summary = topology.network_named(want.oneview_name(self.cloud))
            if summary is not None:
                found[summary.name] = {
                    "uri": summary.uri,
                    "name": summary.name,
                    "ethernetNetworkType": summary.ethernet_type,
                    "vlanId": summary.vlan,
                }
        return found

    # -- applying --------------------------------------------------------------------------------
    def _each(self, batch: _Batch, attribute: str):
        for network_id, plan in batch.plans.items():
            if network_id not in batch.failures:
                for item in getattr(plan, attribute):
                    yield network_id, item

    def _forget(self, context, batch: _Batch) -> None:
        for network_id, record in list(self._each(batch, "forget")):
            LOG.warning(
                "OneView network %s of segment %s (network %s) disappeared from OneView; "
                "recreating it if still needed",
                record.oneview_uri,
                record.segment_id,
                network_id,
            )
            networks_db.remove_owned_network(context, record.segment_id)

    def _delete(self, context, batch: _Batch) -> None:
        doomed = list(self._each(batch, "delete"))
        if not doomed:
            return
        try:
            self.client.delete_networks_bulk([r.oneview_uri for _, r in doomed])
        except OneViewError as error:
            for network_id, _ in doomed:
                batch.fail(network_id, error)
            return
        for network_id, record in doomed:
            networks_db.remove_owned_network(context, record.segment_id)
            LOG.info(
                "Deleted OneView network %s (%s) of segment %s (network %s)",
                record.oneview_name,
                record.oneview_uri,
                record.segment_id,
                network_id,
            )

    def _adopt(self, context, batch: _Batch) -> None:
        for network_id, (want, uri) in list(self._each(batch, "adopt")):
            LOG.warning(
                "OneView network %s (%s) carries our name but had no record (a crash or a "
                "restored database); adopting it for segment %s of network %s",
                want.oneview_name(self.cloud),
                uri,
                want.segment_id,
                network_id,
            )
            self._record(context, want, uri, want.oneview_name(self.cloud))

    def _create(self, context, batch: _Batch) -> None:
        groups: dict[tuple[str, str], list[tuple[str, DesiredNetwork]]] = defaultdict(list)
        for network_id, want in self._each(batch, "create"):
            groups[(want.physnet, want.network_type)].append((network_id, want))
        for (physnet, network_type), items in sorted(groups.items()):
            bulk = network_type == "vlan" and len(items) >= BULK_MINIMUM
            if bulk and self._create_bulk(context, physnet, items, batch):
                continue
            for network_id, want in items:
                try:
                    created = self.client.create(
                        NETWORKS, want.body(self.cloud), kind="ethernet-network"
                    )
                    self._record(context, want, created["uri"], created["name"])
                except Exception as error:
                    batch.fail(network_id, error)

    def _create_bulk(self, context, physnet: str, items, batch: _Batch) -> bool:
        """One request for every VLAN of ``items``; False (create them one by one, so a bad one
        fails alone) when OneView refuses it."""
        vlans = [want.segmentation_id for _, want in items]
        try:
            created = self.client.create_networks_bulk(
                bulk_prefix(self.cloud, physnet),
                vlans,
                purpose="General",
                smart_link=True,
                private_network=False,
            )
        except OneViewError as error:
            LOG.warning(
                "OneView refused creating %d networks of physnet %s at once (%s); creating "
                "them one by one",
                len(items),
                physnet,
                error,
            )
            return False
        for (network_id, want), network in zip(items, created, strict=True):
            try:
                self._record(context, want, network["uri"], network["name"])
            except Exception as error:
                batch.fail(network_id, error)
        return True

    def _record(self, context, want: DesiredNetwork, uri: str, name: str) -> None:
        networks_db.add_owned_network(
            context,
            networks_db.OwnedNetwork(
                segment_id=want.segment_id,
                network_id=want.network_id,
                physnet=want.physnet,
                network_type=want.network_type,
                segmentation_id=want.segmentation_id,
                oneview_uri=uri,
                oneview_name=name,
            ),
        )
        LOG.info(
            "OneView network %s (%s) serves segment %s of network %s",
            name,
            uri,
            want.segment_id,
            want.network_id,
        )

    def _queue_memberships(self, context, physnets: set[str], topology: Topology) -> None:
        """The LIGs whose uplink sets must now carry (or drop) these networks."""
        ligs = {id_of(m.lig_uri) for p in physnets for m in topology.uplink_sets.get(p, ())}
        for lig_id in sorted(ligs):
            work_db.record_work(context, work_db.KIND_LIG, lig_id)
