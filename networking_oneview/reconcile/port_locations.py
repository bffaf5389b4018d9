"""Where bound bare-metal ports go (work kind ``port``): their server and NICs, recorded.

A port's work only locates it (through the inventory) and records its server and NICs in
``oneview_ports``, the index of ports by server; then it queues work for every server the port
touches, now or before.  The profile itself is changed by that server's own work, under the
server's lease, so two ports of one server never have two writers.
"""

from __future__ import annotations

import logging
from typing import Any

from networking_oneview.db import claims as claims_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import work as work_db
from networking_oneview.oneview.paths import id_of
from networking_oneview.port_profile import BindingProfileError
from networking_oneview.port_profile import parse as parse_profile
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.cache import Inventory
from networking_oneview.reconcile.inventory import ServerNotFound

LOG = logging.getLogger(__name__)


class PortLocations:
    """Records the server and NICs each bound bare-metal port designates."""

    kind = work_db.KIND_PORT
    batch = 1

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory

    def all_ids(self, context: Any) -> set[str]:
        """Ports whose record is missing or stale (bound without one, or unbound with one)."""
        rows = {r.port_id for r in ports_db.ports(context)}
        bound = {p.port_id for p in desired.bound_ports(context)}
        return (bound - rows) | (rows - bound)

    def reconcile(self, context: Any, ids: list[str]) -> dict[str, Exception]:
        failures: dict[str, Exception] = {}
        for port_id in ids:
            try:
                self.locate(context, port_id)
            except Exception as error:
                failures[port_id] = error
        return failures

    def locate(self, context: Any, port_id: str) -> None:
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
            work_db.record_work(context, work_db.KIND_SERVER, id_of(hardware_uri))

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
