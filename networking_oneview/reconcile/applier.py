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

from neutron.db import provisioning_blocks
from neutron_lib.callbacks import resources

from networking_oneview.conf import Mappings
from networking_oneview.db import api as db
from networking_oneview.oneview import (
    OneViewClient,
    OneViewConflict,
    OneViewNotFound,
    OneViewTaskError,
    versions,
)
from networking_oneview.port_profile import BindingProfileError
from networking_oneview.port_profile import parse as parse_profile
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.inventory import Inventory, ServerNotFound
from networking_oneview.reconcile.networks import plan_membership, plan_networks
from networking_oneview.reconcile.profiles import DesiredConnection, plan_profile
from networking_oneview.topology import MappedUplinkSet, Topology, read_topology

LOG = logging.getLogger(__name__)

NETWORKS = "/rest/ethernet-networks"
PROVISIONING_ENTITY = "oneview"
SERVER_NOT_OFF = "ServerNotOffWithCauseForNoServerChange"
STALE_RETRIES = 3


class _RefusedWhileOn(Exception):
    """OneView would not apply the change with the server on."""


class NotReady(Exception):
    """The object cannot be reconciled yet (a dependency or the server is busy); retry later."""


@dataclass(frozen=True)
class ApplierSettings:
    cloud_name: str = "neutron"
    topology_max_age: float = 300.0  # re-read LIGs/uplink sets so fixes in OneView are seen


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
        self.inventory = inventory or Inventory(lambda: client.get_all("/rest/server-hardware"))
        self._topology: Topology | None = None
        self._topology_read_at = float("-inf")

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

    # -- ports and server profiles ----------------------------------------------------------
    def reconcile_port(self, context: Any, port_id: str) -> None:
        """Reconcile every server the port is (or was) connected to."""
        servers = {r.server_hardware_uri for r in db.owned_connections(context, port_id=port_id)}
        for bound in desired.bound_ports(context, port_id):
            servers |= {nic.hardware_uri for nic, _ in self._nics(bound)}
        for hardware_uri in sorted(servers):
            self.reconcile_server(context, hardware_uri)

    def _nics(self, bound: desired.BoundPort) -> list[tuple[Any, bool]]:
        try:
            request = parse_profile(bound.profile, bound.mac)
        except BindingProfileError as error:
            LOG.warning("Port %s: unusable binding profile: %s", bound.port_id, error)
            return []
        found = []
        for link in request.links:
            try:
                found.append((self.inventory.locate(link, request.mac), link.bootable))
            except ServerNotFound as error:
                LOG.warning("Port %s stays DOWN: %s", bound.port_id, error)
        return found

    def reconcile_server(self, context: Any, hardware_uri: str) -> None:
        hardware = self.client.get(hardware_uri)
        wanted = self._desired_connections(context, hardware_uri)
        profile_uri = hardware.get("serverProfileUri")
        if not profile_uri:
            for record in db.owned_connections(context):
                if record.server_hardware_uri == hardware_uri:
                    db.remove_owned_connection(
                        context, record.server_profile_uri, record.connection_id
                    )
            if wanted:
                raise NotReady(
                    f"server hardware {hardware.get('name')!r} ({hardware_uri}) has no server "
                    f"profile; ports {sorted({w.port_id for w in wanted})} stay DOWN until one "
                    "is applied in OneView"
                )
            return
        api = self.client.api_version
        force_off = False
        for _attempt in range(STALE_RETRIES):
            owned = db.owned_connections(context, server_profile_uri=profile_uri)
            profile = self.client.get(profile_uri)
            plan = plan_profile(wanted, owned, versions.profile_connections(profile, api))
            for warning in plan.warnings:
                LOG.warning("Server %s: %s", hardware.get("name"), warning)
            if plan.connections is None:
                break
            LOG.info(
                "Server profile %s (%s): adding %s, removing %s, changing %s%s",
                profile.get("name"),
                profile_uri,
                list(plan.added),
                list(plan.removed),
                list(plan.changed),
                " (needs the server off)" if plan.needs_power_off else "",
            )
            body = versions.with_profile_connections(profile, plan.connections, api)
            try:
                self._put_profile(hardware, body, plan.needs_power_off or force_off)
                break
            except _RefusedWhileOn:
                LOG.info(
                    "OneView refused to change %s while it is on; powering it off for the change",
                    hardware.get("name"),
                )
                force_off = True
                hardware = self.client.get(hardware_uri)
            except OneViewConflict:
                LOG.info("Server profile %s changed meanwhile; planning again", profile_uri)
        profile = self.client.get(profile_uri)
        self._record(context, hardware_uri, profile, wanted, api)

    def _desired_connections(self, context: Any, hardware_uri: str) -> list[DesiredConnection]:
        wanted = []
        for bound in desired.bound_ports(context):
            for nic, bootable in self._nics(bound):
                if nic.hardware_uri != hardware_uri:
                    continue
                network_uri = self._network_uri(context, bound)
                wanted.append(
                    DesiredConnection(bound.port_id, nic.oneview_port, network_uri, bootable)
                )
        return wanted

    def _network_uri(self, context: Any, bound: desired.BoundPort) -> str:
        """The OneView network of the port's bound segment, creating it first if needed."""
        segment = next(
            (
                s
                for s in desired.network_segments(context, bound.network_id)
                if s.id == bound.segment_id
            ),
            None,
        )
        if segment is None:
            raise NotReady(f"port {bound.port_id}: its bound segment {bound.segment_id} is gone")
        manual = self.topology().manual_network(segment.network_type, segment.physnet)
        if manual:
            return manual
        record = db.owned_network_by_segment(context, segment.id)
        if record is None:
            self.reconcile_network(context, segment.network_id)
            record = db.owned_network_by_segment(context, segment.id)
        if record is None:
            raise NotReady(
                f"port {bound.port_id}: segment {segment.id} ({segment.network_type} on "
                f"{segment.physnet}) has no OneView network"
            )
        return record.oneview_uri

    def _put_profile(self, hardware: dict[str, Any], body: dict[str, Any], needs_off: bool):
        """PUT the profile; power the server off around it only when needed, and restore it."""
        powered_off = False
        try:
            if needs_off and hardware.get("powerState") == "On":
                powered_off = self._power(hardware, "Off")
            try:
                self.client.update(body, kind="server-profile")
            except OneViewTaskError as error:
                if error.error_code == SERVER_NOT_OFF and not powered_off:
                    raise _RefusedWhileOn() from None
                raise
        finally:
            if powered_off:
                self._power(hardware, "On")

    def _power(self, hardware: dict[str, Any], state: str) -> bool:
        if hardware.get("powerLock"):
            raise NotReady(
                f"server hardware {hardware.get('name')!r} is power-locked by another OneView "
                "operation"
            )
        control = "PressAndHold" if state == "Off" else "MomentaryPress"
        self.client.put(
            f"{hardware['uri']}/powerState", {"powerState": state, "powerControl": control}
        )
        LOG.info("Powered %s server hardware %s", state.lower(), hardware.get("name"))
        return True

    def _record(
        self,
        context: Any,
        hardware_uri: str,
        profile: dict[str, Any],
        wanted: list[DesiredConnection],
        api: int,
    ) -> None:
        """Bring our ownership records in line with the profile as it now is; mark ports up."""
        present = {c.get("name"): c for c in versions.profile_connections(profile, api)}
        profile_uri = profile["uri"]
        records = {
            r.connection_name: r
            for r in db.owned_connections(context, server_profile_uri=profile_uri)
        }
        wanted_names = {w.name for w in wanted}
        for name, record in records.items():
            if name not in wanted_names or name not in present:
                db.remove_owned_connection(context, profile_uri, record.connection_id)
        ready: dict[str, bool] = {}
        for want in wanted:
            connection = present.get(want.name)
            done = connection is not None and connection.get("networkUri") == want.network_uri
            ready[want.port_id] = ready.get(want.port_id, True) and done
            if connection is None:
                continue
            record = records.get(want.name)
            if record is None:
                db.add_owned_connection(
                    context,
                    db.OwnedConnection(
                        port_id=want.port_id,
                        server_hardware_uri=hardware_uri,
                        server_profile_uri=profile_uri,
                        connection_id=connection["id"],
                        connection_name=want.name,
                        oneview_port=want.oneview_port,
                        network_uri=connection.get("networkUri", ""),
                    ),
                )
            elif record.network_uri != connection.get("networkUri"):
                db.update_owned_connection(
                    context,
                    profile_uri,
                    record.connection_id,
                    network_uri=connection.get("networkUri", ""),
                )
        for port_id, done in ready.items():
            if done:
                provisioning_blocks.provisioning_complete(
                    context, port_id, resources.PORT, PROVISIONING_ENTITY
                )

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
