"""The ``oneview`` ML2 mechanism driver: validate, record, bind.

It never calls OneView inside a Neutron transaction and never waits on a OneView task in an API
call.  Precommit records *which object* changed in our work table, in the same transaction as the
Neutron change, so a crash cannot lose it; after commit a background reconciler makes OneView
match (``networking_oneview.reconcile``).  ``bind_port`` only reads (a cached server inventory).
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from neutron.conf.plugins.ml2.drivers import driver_type
from neutron.db import provisioning_blocks
from neutron_lib import constants as n_const
from neutron_lib import exceptions as n_exc
from neutron_lib.api.definitions import portbindings, provider_net
from neutron_lib.callbacks import resources
from neutron_lib.plugins.ml2 import api
from oslo_config import cfg

from networking_oneview import conf
from networking_oneview.db import networks as networks_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import work as work_db
from networking_oneview.oneview import OneViewClient, OneViewError
from networking_oneview.port_profile import BindingProfileError, has_links, missing_links
from networking_oneview.port_profile import parse as parse_profile
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.cache import Inventory, SiteCache
from networking_oneview.reconcile.desired import DRIVER_NAME
from networking_oneview.reconcile.inventory import Nic, ServerNotFound
from networking_oneview.reconcile.reconcilers import build_registry, settings_from
from networking_oneview.reconcile.server_records import PROVISIONING_ENTITY
from networking_oneview.topology import read_topology
from networking_oneview.worker import BackgroundRunner, OneViewWorker, WorkRunner

LOG = logging.getLogger(__name__)

SERVED_TYPES = (n_const.TYPE_VLAN, n_const.TYPE_FLAT)

_BINDING_KEYS = (portbindings.HOST_ID, portbindings.VIF_TYPE, portbindings.PROFILE, "mac_address")


class NicInUse(LookupError):
    """The NIC a port's link names already carries another port bound by this driver."""


class OneViewMechanismDriver(api.MechanismDriver):
    """Mirror vlan/flat networks into OneView and bind bare-metal ports to server profiles."""

    def initialize(self) -> None:
        conf.register_opts(cfg.CONF)
        driver_type.register_ml2_drivers_flat_opts()
        driver_type.register_ml2_drivers_vlan_opts()
        group = cfg.CONF[conf.GROUP]
        problems = conf.check_options(group, conf.config_files(cfg.CONF))
        if problems:
            raise conf.ConfigError("; ".join(problems))
        self.mappings = conf.build_mappings(
            group.uplinkset_mappings,
            group.flat_net_mappings,
            cfg.CONF.ml2_type_flat.flat_networks or [],
            conf.vlan_physnets_from(cfg.CONF.ml2_type_vlan.network_vlan_ranges or []),
        )
        conf.check_ids(self.mappings)
        settings = conf.client_settings(group)
        self.client = OneViewClient(settings)
        # Binding look-ups run inside API calls: fail fast instead of retrying for long.
        self.lookup_client = OneViewClient(_fast(settings))
        self.inventory = Inventory.of(self.lookup_client)
        self.cache = SiteCache(self.client, self.mappings, inventory=self.inventory)
        self.cloud_name = group.cloud_name
        self.reconcile_settings = settings_from(group)
        self.registry = build_registry(self.client, self.cache, self.reconcile_settings)
        self.runner = self._runner()
        self.background = BackgroundRunner(self.runner) if group.apply_in_api_workers else None
        self.sync_interval = group.sync_interval
        self._check_topology()
        LOG.info(
            "networking-oneview serves physnets %s on %s",
            sorted(self.mappings.physnets),
            settings.manager_url,
        )

    def _check_topology(self) -> None:
        """Refuse to start on a mapping OneView cannot honour; start anyway if it is down."""
        try:
            topology, problems = read_topology(self.lookup_client, self.mappings)
        except OneViewError as error:
            LOG.warning(
                "OneView is not reachable now (%s); neutron-server starts anyway and the "
                "driver catches up when it is back",
                error,
            )
            return
        fatal = [p for p in problems if p.fatal]
        for problem in problems:
            LOG.log(logging.ERROR if problem.fatal else logging.WARNING, "%s", problem)
        if fatal:
            raise conf.ConfigError("; ".join(str(p) for p in fatal))
        self.cache.use_topology(topology)
        try:
            # Known MACs let bind_port recognise our servers' NICs during a later outage.
            self.inventory.index()
        except OneViewError as error:
            LOG.warning("Could not read OneView's servers at start-up (%s); reading later", error)

    @property
    def connectivity(self) -> str:
        return portbindings.CONNECTIVITY_L2

    def _runner(self) -> WorkRunner:
        return WorkRunner(self.registry, parallel=self.reconcile_settings.max_concurrent_tasks)

    def get_workers(self) -> list[OneViewWorker]:
        return [OneViewWorker(self._runner, self.sync_interval)]

    # -- networks ------------------------------------------------------------------------------
    def _maps(self, segments: list[dict[str, Any]] | None) -> bool:
        return any(
            s.get(api.NETWORK_TYPE) in SERVED_TYPES
            and s.get(api.PHYSICAL_NETWORK) in self.mappings.physnets
            for s in segments or []
        )

    def _record_network(self, context: Any) -> None:
        if self._maps(context.network_segments) or networks_db.owned_networks(
            context.plugin_context, network_id=context.current["id"]
        ):
            work_db.record_work(context.plugin_context, work_db.KIND_NETWORK, context.current["id"])

    def create_network_precommit(self, context: Any) -> None:
        self._refuse_taken_vlan(context.network_segments)
        self._record_network(context)

    def _refuse_taken_vlan(self, segments: list[dict[str, Any]] | None) -> None:
        """Fail the create at once, with a message, when the last topology read shows another
        network with that VLAN in the uplink set the segment's network would join (OneView
        would refuse it there).  Reads only the cache: no OneView call in the transaction."""
        topology = self.cache.known_topology
        if topology is None:
            return
        for segment in segments or []:
            if segment.get(api.NETWORK_TYPE) != n_const.TYPE_VLAN:
                continue
            physnet, vlan = segment.get(api.PHYSICAL_NETWORK), segment.get(api.SEGMENTATION_ID)
            user = topology.vlan_taken(physnet, vlan, self.cloud_name)
            if user is not None:
                raise n_exc.InvalidInput(
                    error_message=(
                        f"VLAN {vlan} on physnet {physnet} is already carried by OneView network "
                        f"{user.name!r} ({user.uri}) in {user.holder}, which this cloud does not "
                        "own; OneView allows one network per VLAN in an uplink set. Choose "
                        "another VLAN or remove that network from the uplink set."
                    )
                )

    def update_network_precommit(self, context: Any) -> None:
        self._refuse_vlan_change(context)
        self._record_network(context)

    def _refuse_vlan_change(self, context: Any) -> None:
        """Neutron lets an admin change the segmentation id of a network without bound ports,
        in place (same segment); the OneView network is made per segment and VLAN and is not
        re-tagged, so OneView would keep carrying the old VLAN.  Refuse, saying what to do."""
        change = segmentation_change(context.original, context.current)
        if change is None or not self._maps(context.network_segments):
            return
        old, new = change
        raise n_exc.InvalidInput(
            error_message=(
                f"provider:segmentation_id {_short(new)} (was {old}): network "
                f"{context.current['id']} is mapped to OneView, and networking-oneview cannot "
                "move a mapped network to another VLAN; expected the current segmentation id. "
                "Create a network with the new VLAN and move the ports to it."
            )
        )

    def delete_network_precommit(self, context: Any) -> None:
        self._record_network(context)

    def create_network_postcommit(self, context: Any) -> None:
        self._kick()

    def update_network_postcommit(self, context: Any) -> None:
        self._kick()

    def delete_network_postcommit(self, context: Any) -> None:
        self._kick()

    # -- ports ---------------------------------------------------------------------------------
    @staticmethod
    def _ours(levels: list[dict[str, Any]] | None) -> bool:
        return bool(levels) and levels[0].get(api.BOUND_DRIVER) == DRIVER_NAME

    def update_port_precommit(self, context: Any) -> None:
        now_ours = self._ours(context.binding_levels)
        was_ours = self._ours(context.original_binding_levels)
        if not (now_ours or was_ours):
            return
        changed = _binding_view(context.current, context.binding_levels) != _binding_view(
            context.original, context.original_binding_levels
        )
        if not changed:
            return
        port_id = context.current["id"]
        work_db.record_work(context.plugin_context, work_db.KIND_PORT, port_id)
        if now_ours:
            # The port stays DOWN until OneView really has its connection.
            provisioning_blocks.add_provisioning_component(
                context.plugin_context, port_id, resources.PORT, PROVISIONING_ENTITY
            )

    def delete_port_precommit(self, context: Any) -> None:
        if self._ours(context.binding_levels) or ports_db.port(
            context.plugin_context, context.current["id"]
        ):
            work_db.record_work(context.plugin_context, work_db.KIND_PORT, context.current["id"])

    def update_port_postcommit(self, context: Any) -> None:
        if self._ours(context.binding_levels) or self._ours(context.original_binding_levels):
            self._kick()

    def delete_port_postcommit(self, context: Any) -> None:
        self._kick()

    def bind_port(self, context: Any) -> None:
        """Bind a bare-metal port whose links name a OneView server; no side effects."""
        port = context.current
        if port.get(portbindings.VNIC_TYPE) != portbindings.VNIC_BAREMETAL:
            return
        profile = port.get(portbindings.PROFILE)
        segment = next(
            (s for s in context.segments_to_bind if self._serves(s)),
            None,
        )
        if segment is None:
            return
        if not has_links(profile):
            # Not an error: another mechanism driver may bind bare-metal ports without links.
            LOG.info("Not binding port %s: %s", port["id"], missing_links(profile))
            return
        try:
            request = parse_profile(profile, port.get("mac_address"))
            nics = [self._check_link(link, request.mac) for link in request.links]
            check_distinct(nics)
            self._check_free(context.plugin_context, port["id"], nics)
        except (BindingProfileError, ServerNotFound, NicInUse) as error:
            LOG.error(
                "Not binding port %s (device %s): %s", port["id"], port.get("device_id"), error
            )
            return
        context.set_binding(
            segment[api.ID],
            portbindings.VIF_TYPE_OTHER,
            {portbindings.VIF_DETAILS_CONNECTIVITY: self.connectivity},
            status=n_const.PORT_STATUS_DOWN,
        )
        LOG.info(
            "Bound port %s to segment %s (%s on %s); OneView connection follows",
            port["id"],
            segment[api.ID],
            segment[api.NETWORK_TYPE],
            segment[api.PHYSICAL_NETWORK],
        )

    def _check_link(self, link: Any, mac: str) -> Nic:
        """Refuse links OneView says are wrong.  If OneView cannot answer now, bind only a NIC
        the last inventory knows: a deploy started during an outage then completes when OneView
        is back, and a MAC that belongs to no OneView server is never claimed (another mechanism
        driver may serve it)."""
        try:
            return self.inventory.locate(link, mac)
        except OneViewError as error:
            known = self.inventory.last_known
            if known is None:
                raise ServerNotFound(
                    f"OneView is unreachable ({error.message}) and this process has not read "
                    f"its servers yet, so the NIC with MAC {mac} cannot be recognised; not "
                    "binding it"
                ) from None
            nic = known.locate(link, mac)  # ServerNotFound: not ours to claim
            LOG.warning(
                "OneView is unreachable (%s) while binding the NIC with MAC %s, which the last "
                "inventory places on server hardware %s; binding now, the connection follows "
                "when OneView is back",
                error.message,
                mac,
                nic.hardware_uri,
            )
            return nic

    @staticmethod
    def _check_free(context: Any, port_id: str, nics: list[Nic]) -> None:
        """A NIC carries one port: refuse a port naming a NIC that another port bound by this
        driver holds, so a stray or hostile port cannot take over a deployed server's NIC (the
        reconciler would give the NIC to one of the two, by port id).  Ironic deletes or
        unbinds a port before it binds the next one on the same NIC, so its flips pass."""
        for index, nic in enumerate(nics):
            records = ports_db.ports(context, server_hardware_uri=nic.hardware_uri)
            others = nic_holders(records, nic, port_id)
            bound = sorted(p.port_id for p in desired.bound_ports(context, port_ids=others))
            if bound:
                raise NicInUse(
                    f"binding:profile.local_link_information[{index}] designates NIC "
                    f"{nic.oneview_port!r} of server hardware {nic.hardware_uri}, which already "
                    f"carries port {bound[0]}; a NIC carries one port, so unbind or delete that "
                    "port first"
                )

    def _serves(self, segment: dict[str, Any]) -> bool:
        network_type = segment.get(api.NETWORK_TYPE)
        physnet = segment.get(api.PHYSICAL_NETWORK)
        topology = self.cache.known_topology
        if topology is not None:
            return topology.serves(network_type, physnet)
        return network_type in SERVED_TYPES and physnet in self.mappings.physnets

    # -- after commit --------------------------------------------------------------------------
    def _kick(self) -> None:
        if self.background is not None:
            self.background.kick()


def segmentation_change(original: Any, current: Any) -> tuple[Any, Any] | None:
    """(old, new) when an update changes a single-segment network's segmentation id."""
    key = provider_net.SEGMENTATION_ID
    old = (original or {}).get(key)
    new = (current or {}).get(key)
    if old is None or old == new:
        return None
    return old, new


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_distinct(nics: list[Nic]) -> None:
    """Links that resolve to the same NIC (one names it, another finds it by the MAC) would
    give it two connections: refuse, naming both entries."""
    seen: dict[Nic, int] = {}
    for index, nic in enumerate(nics):
        if nic in seen:
            raise BindingProfileError(
                f"binding:profile.local_link_information[{index}] designates NIC "
                f"{nic.oneview_port!r} of server hardware {nic.hardware_uri}, as entry "
                f"[{seen[nic]}] does; list each NIC once"
            )
        seen[nic] = index


def nic_holders(records: list[ports_db.PortRecord], nic: Nic, port_id: str) -> list[str]:
    """The ports other than ``port_id`` whose record places them on ``nic``."""
    return sorted(
        r.port_id
        for r in records
        if r.port_id != port_id
        and r.server_hardware_uri == nic.hardware_uri
        and any(n.nic == nic.oneview_port for n in r.nics)
    )


def _binding_view(port: dict[str, Any] | None, levels: list[dict[str, Any]] | None) -> str:
    """What of a port matters to OneView, as a comparable string."""
    if port is None:
        return ""
    view = {key: port.get(key) for key in _BINDING_KEYS}
    view["segments"] = [
        ((level.get(api.BOUND_SEGMENT) or {}).get(api.ID), level.get(api.BOUND_DRIVER))
        for level in levels or []
    ]
    return json.dumps(view, sort_keys=True, default=str)


def _fast(settings: Any) -> Any:
    return replace(
        settings,
        max_retries=1,
        connect_timeout=min(settings.connect_timeout, 5.0),
        read_timeout=min(settings.read_timeout, 15.0),
    )
