"""Apply plans to OneView: the only module of the reconciler that talks to the appliance.

Each entry point is level-triggered and idempotent: it reads the desired state from Neutron's
tables, the actual state from OneView, asks a pure planner for the difference and applies it.
Running it twice, late, or after a crash is harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from networking_oneview.conf import Mappings
from networking_oneview.db import api as db
from networking_oneview.db import claims as claims_db
from networking_oneview.db import ports as ports_db
from networking_oneview.oneview import OneViewClient, OneViewConflict, OneViewNotFound
from networking_oneview.port_profile import BindingProfileError
from networking_oneview.port_profile import parse as parse_profile
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.connections import ADOPT
from networking_oneview.reconcile.inventory import HARDWARE, Inventory, ServerNotFound
from networking_oneview.reconcile.networks import plan_membership, plan_networks
from networking_oneview.reconcile.outcomes import NotReady
from networking_oneview.reconcile.power import PowerControl, PowerSettings
from networking_oneview.reconcile.server_profiles import ServerProfiles, ServerSettings
from networking_oneview.topology import MappedUplinkSet, Topology, read_topology

LOG = logging.getLogger(__name__)

NETWORKS = "/rest/ethernet-networks"
STALE_RETRIES = 3


def hardware_id(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def hardware_uri(id_or_uri: str) -> str:
    return id_or_uri if id_or_uri.startswith("/rest/") else f"{HARDWARE}/{id_or_uri}"


@dataclass(frozen=True)
class ApplierSettings:
    cloud_name: str = "neutron"
    topology_max_age: float = 300.0  # re-read LIGs/uplink sets so fixes in OneView are seen
    existing_connections: str = ADOPT
    allow_power_off: bool = True
    power_off_timeout: float = 120.0


class Applier:
    """Reconciles networks, uplink sets and server profiles of one OneView appliance."""

    def __init__(
        self,
        client: OneViewClient,
        mappings: Mappings,
        settings: ApplierSettings,
        inventory: Inventory | None = None,
    ) -> None:
        self.client = client
        self.mappings = mappings
        self.settings = settings
        self.inventory = inventory or Inventory.of(client)
        self._topology: Topology | None = None
        self._topology_read_at = float("-inf")
        self.servers = ServerProfiles(
            client,
            ServerSettings(
                settings.cloud_name, settings.existing_connections, settings.allow_power_off
            ),
            self.inventory,
            self.topology,
            PowerControl(client, PowerSettings(settings.power_off_timeout)),
        )

    # -- topology ------------------------------------------------------------------------------
    def topology(self, refresh: bool = False) -> Topology:
        """The resolved mappings, read from OneView when missing, old, or asked to."""
        age = time.monotonic() - self._topology_read_at
        if self._topology is None or refresh or age > self.settings.topology_max_age:
            topology, problems = read_topology(self.client, self.mappings)
            for problem in problems:
                LOG.error("OneView mapping problem: %s", problem)
            self.use_topology(topology)
        assert self._topology is not None
        return self._topology

    def use_topology(self, topology: Topology) -> None:
        self._topology = topology
        self._topology_read_at = time.monotonic()

    @property
    def known_topology(self) -> Topology | None:
        """The last topology read, without asking OneView (for bind_port)."""
        return self._topology

    # -- networks ------------------------------------------------------------------------------
    def reconcile_network(self, context: Any, network_id: str) -> None:
        failures = self.reconcile_networks(context, [network_id])
        if network_id in failures:
            raise failures[network_id]

    def reconcile_networks(self, context: Any, network_ids: list[str]) -> dict[str, Exception]:
        """Reconcile several networks; their uplink-set changes go out as one PUT per uplink
        set (LIG and LI PUTs are slow tasks on a real appliance). Returns the failures."""
        failures: dict[str, Exception] = {}
        physnets: set[str] = set()
        leaving: list[db.OwnedNetwork] = []
        for network_id in network_ids:
            try:
                touched, deletions = self._reconcile_network_objects(context, network_id)
            except Exception as error:
                failures[network_id] = error
                continue
            physnets |= touched
            leaving += deletions
        try:
            self.sync_memberships(context, physnets, {r.oneview_uri for r in leaving})
        except Exception as error:
            for network_id in network_ids:
                failures.setdefault(network_id, error)
            return failures
        for record in leaving:
            try:
                self._delete_network(context, record)
            except Exception as error:
                failures.setdefault(record.network_id, error)
        return failures

    def _reconcile_network_objects(
        self, context: Any, network_id: str
    ) -> tuple[set[str], list[db.OwnedNetwork]]:
        """Create and rename the network's OneView networks; return the physnets it touches
        and the networks to delete once they have left their uplink sets."""
        topology = self.topology()
        segments = desired.network_segments(context, network_id)
        wanted = [s.desired() for s in segments if topology.for_segment(s.network_type, s.physnet)]
        owned = db.owned_networks(context, network_id=network_id)
        actual = {o.oneview_uri: self._get_or_none(o.oneview_uri) for o in owned}
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
        plan = plan_networks(wanted, owned, actual, self.settings.cloud_name, keep=unmapped)
        if plan.empty and not wanted and not owned:
            LOG.debug("network %s has no segment mapped to OneView", network_id)
        for record in plan.forget:
            LOG.warning(
                "OneView network %s of segment %s disappeared from OneView; recreating it if "
                "still needed",
                record.oneview_uri,
                record.segment_id,
            )
            db.remove_owned_network(context, record.segment_id)
        for want in plan.create:
            created = self.client.create(
                NETWORKS, want.body(self.settings.cloud_name), kind="ethernet-network"
            )
            db.add_owned_network(
                context,
                db.OwnedNetwork(
                    segment_id=want.segment_id,
                    network_id=want.network_id,
                    physnet=want.physnet,
                    network_type=want.network_type,
                    segmentation_id=want.segmentation_id,
                    oneview_uri=created["uri"],
                    oneview_name=created["name"],
                ),
            )
            LOG.info(
                "Created OneView network %s (%s) for segment %s of network %s",
                created["name"],
                created["uri"],
                want.segment_id,
                want.network_id,
            )
        for uri, name in plan.rename:
            self._update(uri, lambda doc, name=name: doc.update(name=name), "ethernet-network")
            LOG.info("Renamed OneView network %s to %s", uri, name)
        physnets = {s.physnet for s in segments} | {o.physnet for o in owned}
        return {p for p in physnets if p}, list(plan.delete)

    def _delete_network(self, context: Any, record: db.OwnedNetwork) -> None:
        try:
            self.client.delete(record.oneview_uri)
        except OneViewNotFound:
            LOG.info("OneView network %s was already gone", record.oneview_uri)
        db.remove_owned_network(context, record.segment_id)
        LOG.info(
            "Deleted OneView network %s of segment %s (network %s)",
            record.oneview_uri,
            record.segment_id,
            record.network_id,
        )

    def sync_memberships(self, context: Any, physnets: Iterable[str], leaving: set[str]) -> None:
        """Make every uplink set mapped to ``physnets`` carry exactly our wanted networks."""
        owned = db.owned_networks(context)
        ours = {o.oneview_uri for o in owned}
        by_lig: dict[str, list[tuple[MappedUplinkSet, list[str]]]] = {}
        for physnet in sorted(physnets):
            for mapped in self.topology().uplink_sets.get(physnet, ()):
                kind = "vlan" if mapped.network_type == "Tagged" else "flat"
                wanted = [
                    o.oneview_uri
                    for o in owned
                    if o.physnet == physnet
                    and o.network_type == kind
                    and o.oneview_uri not in leaving
                ]
                by_lig.setdefault(mapped.lig_uri, []).append((mapped, wanted))
                for uri in mapped.li_uplink_set_uris:
                    self._sync_uplink_set(mapped, uri, wanted, ours)
        for lig_uri, templates in by_lig.items():
            self._sync_lig(lig_uri, templates, ours)

    def _sync_lig(
        self, lig_uri: str, templates: list[tuple[MappedUplinkSet, list[str]]], ours: set
    ) -> None:
        """Every changed uplink-set template of one LIG in a single PUT (a slow task)."""

        def change(lig: dict[str, Any]) -> bool:
            changed = False
            for mapped, wanted in templates:
                template = next(
                    (t for t in lig.get("uplinkSets", []) if t.get("name") == mapped.ref.name),
                    None,
                )
                if template is None:
                    raise NotReady(f"LIG {lig_uri} lost its uplink set {mapped.ref.name!r}")
                label = f"LIG {lig.get('name')} / {mapped.ref.name}"
                changed |= self._apply_membership(template, wanted, ours, mapped, label)
            return changed

        self._update(lig_uri, change, "logical-interconnect-group")

    def _sync_uplink_set(
        self, mapped: MappedUplinkSet, uri: str, wanted: list[str], ours: set
    ) -> None:
        def change(uplink_set: dict[str, Any]) -> bool:
            return self._apply_membership(
                uplink_set, wanted, ours, mapped, f"uplink set {uplink_set.get('name')} ({uri})"
            )

        self._update(uri, change, "uplink-set")

    @staticmethod
    def _apply_membership(
        holder: dict[str, Any], wanted: list[str], ours: set, mapped: MappedUplinkSet, label: str
    ) -> bool:
        plan = plan_membership(
            holder.get("networkUris") or [], wanted, ours, mapped.network_type == "Untagged"
        )
        if plan.conflicts:
            LOG.error(
                "%s is Untagged and already carries %s, which is not ours; our flat network "
                "cannot join it. Remove that network from the uplink set or map another one.",
                label,
                ", ".join(plan.conflicts),
            )
            return False
        if plan.network_uris is None:
            return False
        holder["networkUris"] = plan.network_uris
        LOG.info("%s: adding %s, removing %s", label, list(plan.added), list(plan.removed))
        return True

    # -- ports: where they go; servers: their profiles --------------------------------------
    def reconcile_port(self, context: Any, port_id: str) -> None:
        """Record where a bound port goes (server and NICs) and queue every server it touches.

        The profile itself is changed by that server's own work item, under the server's lease,
        so two ports of one server never have two writers.
        """
        old = ports_db.port(context, port_id)
        servers = {c.server_hardware_uri for c in claims_db.claims(context, port_id=port_id)}
        if old is not None and old.server_hardware_uri:
            servers.add(old.server_hardware_uri)
        bound = desired.bound_ports(context, port_id)
        if bound:
            target, error = self._target(port_id, bound[0])
            if target is not None:
                hardware_uri, nics = target
                servers.add(hardware_uri)
                same = old is not None and (old.server_hardware_uri, old.nics) == target
                state = old.state if same else ports_db.WAITING
                ports_db.save_port(context, port_id, hardware_uri, nics, state, None)
                if not same:
                    LOG.info(
                        "Port %s needs NIC(s) %s of server hardware %s",
                        port_id,
                        ", ".join(n.nic for n in nics),
                        hardware_uri,
                    )
            else:
                ports_db.save_port(context, port_id, None, (), ports_db.ERROR, error)
        else:
            ports_db.forget_port(context, port_id)
        for hardware_uri in sorted(servers):
            db.record_work(context, db.KIND_SERVER, hardware_id(hardware_uri))

    def _target(self, port_id: str, bound: desired.BoundPort) -> tuple[Any, str]:
        """((server hardware URI, NICs), "") the port's links designate, or (None, why)."""
        try:
            request = parse_profile(bound.profile, bound.mac)
            located = [(self.inventory.locate(link, request.mac), link) for link in request.links]
        except (BindingProfileError, ServerNotFound) as error:
            LOG.warning("Port %s stays DOWN: %s", port_id, error)
            return None, str(error)
        servers = {nic.hardware_uri for nic, _ in located}
        if len(servers) > 1:
            why = (
                f"local_link_information names NICs of {len(servers)} different servers "
                f"({', '.join(sorted(servers))}); a bare-metal port belongs to one server"
            )
            LOG.warning("Port %s stays DOWN: %s", port_id, why)
            return None, why
        nics = tuple(ports_db.PortNic(nic.oneview_port, link.bootable) for nic, link in located)
        return (servers.pop(), nics), ""

    def reconcile_server(self, context: Any, hardware_id_or_uri: str) -> None:
        self.servers.reconcile(context, hardware_uri(hardware_id_or_uri))

    # -- helpers -------------------------------------------------------------------------------
    def _get_or_none(self, uri: str) -> dict[str, Any] | None:
        try:
            return self.client.get(uri)
        except OneViewNotFound:
            return None

    def _update(self, uri: str, change: Callable[[dict[str, Any]], Any], kind: str) -> None:
        """GET, change, PUT with the eTag; on a stale eTag read again and re-apply."""
        for attempt in range(STALE_RETRIES):
            document = self.client.get(uri)
            if change(document) is False:
                return
            try:
                self.client.update(document, kind=kind)
                return
            except OneViewConflict:
                if attempt == STALE_RETRIES - 1:
                    raise
                LOG.info("%s changed while we updated it; reading it again", uri)
