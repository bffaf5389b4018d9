"""The periodic full comparison (work kind ``full``): every registered kind, plus the orphans.

It re-reads the topology and the inventory, then queues work for every object each reconciler
names (``all_ids``), skipping those already queued: they run anyway, and a refusal parked until
something changes must not be retried by every sync.  It also sweeps OneView networks that carry
our name but have no record (``reconcile.orphans``).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from networking_oneview.db import claims as claims_db
from networking_oneview.db import networks as networks_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import work as work_db
from networking_oneview.oneview import OneViewClient, OneViewNotFound
from networking_oneview.oneview.paths import id_of
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.cache import SiteCache
from networking_oneview.reconcile.connections import connection_name
from networking_oneview.reconcile.drift import Drift
from networking_oneview.reconcile.inventory import profile_connections
from networking_oneview.reconcile.orphans import Orphan, find_orphans
from networking_oneview.reconcile.registry import Registry

LOG = logging.getLogger(__name__)


class FullSync:
    kind = work_db.KIND_FULL
    batch = 1

    def __init__(
        self, client: OneViewClient, cache: SiteCache, registry: Registry, cloud: str
    ) -> None:
        self.client = client
        self.cache = cache
        self.registry = registry
        self.cloud = cloud

    def all_ids(self, context: Any) -> set[str]:
        return set()  # queued by the periodic timer, never by itself

    def reconcile(self, context: Any, ids: list[str]) -> dict[str, Exception]:
        self.cache.topology(refresh=True)
        self.cache.inventory.index(force=True)
        queued = work_db.pending_objects(context)
        counts: dict[str, int] = {}
        for reconciler in self.registry:
            if reconciler.kind == self.kind:
                continue
            ids_of_kind = sorted(reconciler.all_ids(context))
            counts[reconciler.kind] = len(ids_of_kind)
            for object_id in ids_of_kind:
                if (reconciler.kind, object_id) not in queued:
                    work_db.record_work(context, reconciler.kind, object_id)
        self._queue_servers_with_unclaimed_connections(context, queued)
        orphans = self.orphans(context)
        for orphan in orphans:
            self._sweep(context, orphan)
        LOG.info(
            "Full sync: %s to compare; %d unrecorded network(s) of ours",
            ", ".join(f"{n} {kind}(s)" for kind, n in counts.items()),
            len(orphans),
        )
        return {}

    def _queue_servers_with_unclaimed_connections(self, context: Any, queued: set) -> None:
        """Servers whose profile carries a connection with our name that no claim covers:
        their own work removes it."""
        for hardware_uri, profile_uri, connection in self.unclaimed_connections(context):
            LOG.warning(
                "Server profile %s carries our connection %s on %s without a record; queueing "
                "its server to remove it",
                profile_uri,
                connection.get("name"),
                connection.get("portId"),
            )
            if (work_db.KIND_SERVER, id_of(hardware_uri)) not in queued:
                work_db.record_work(context, work_db.KIND_SERVER, id_of(hardware_uri))
                queued.add((work_db.KIND_SERVER, id_of(hardware_uri)))

    def unclaimed_connections(self, context: Any) -> list[tuple[str, str, dict[str, Any]]]:
        """(hardware URI, profile URI, connection) of every connection in the inventory just
        read that carries exactly our name on its NIC and that no claim covers."""
        self.cache.inventory.index()
        claimed = {(c.server_profile_uri, c.claim.nic) for c in claims_db.claims(context)}
        wanted = {(r.server_hardware_uri, n.nic) for r in ports_db.ports(context) for n in r.nics}
        found = []
        for profile in self.cache.inventory.profiles():
            hardware_uri, profile_uri = profile.get("serverHardwareUri"), profile.get("uri")
            for connection in profile_connections(profile):
                nic = connection.get("portId")
                if not (isinstance(nic, str) and hardware_uri and profile_uri):
                    continue
                ours = connection.get("name") == connection_name(self.cloud, nic)
                held = (profile_uri, nic) in claimed or (hardware_uri, nic) in wanted
                if ours and not held:
                    found.append((hardware_uri, profile_uri, connection))
        return found

    def drift(self, context: Any, ids: list[str]) -> list[Drift]:
        unclaimed = [
            Drift(
                self.kind,
                f"{profile_uri} {connection.get('portId')}",
                "remove",
                f"connection {connection.get('name')} carries our name but has no record",
            )
            for _, profile_uri, connection in self.unclaimed_connections(context)
        ]
        return unclaimed + [
            Drift(
                self.kind,
                o.network.uri,
                "adopt" if o.adopt_for else "delete",
                f"{o.network.name} carries our name but has no record; {o.action}",
            )
            for o in self.orphans(context)
        ]

    def orphans(self, context: Any) -> list[Orphan]:
        topology = self.cache.topology()
        recorded = {o.oneview_uri for o in networks_db.owned_networks(context)}
        wanted = {
            s.desired().oneview_name(self.cloud): s.network_id
            for s in desired.all_segments(context)
            if topology.for_segment(s.network_type, s.physnet)
        }
        return find_orphans(
            topology.networks.values(), recorded, wanted, self.cloud, topology.uplink_sets
        )

    def _sweep(self, context: Any, orphan: Orphan) -> None:
        network = orphan.network
        if orphan.adopt_for:
            LOG.warning(
                "OneView network %s (%s) carries our name but has no record; network %s wants "
                "it, so it is adopted",
                network.name,
                network.uri,
                orphan.adopt_for,
            )
            work_db.record_work(context, work_db.KIND_NETWORK, orphan.adopt_for)
            return
        LOG.warning(
            "OneView network %s (%s) carries our name but has no record and no Neutron segment "
            "wants it (a crash before recording, or a restored database); deleting it",
            network.name,
            network.uri,
        )
        with contextlib.suppress(OneViewNotFound):
            self.client.delete(network.uri)
