"""Record what a server's reconcile found: NIC claims, port states, provisioning blocks.

Claims are brought in line with the profile exactly as OneView returned it after our PUT (never a
plan computed before it); a port turns ACTIVE, and Neutron's provisioning block on it is lifted,
only when every NIC of it carries its network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from neutron.db import provisioning_blocks
from neutron_lib.callbacks import resources

from networking_oneview.db import claims as claims_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import power as power_db
from networking_oneview.oneview import versions
from networking_oneview.reconcile.connections import port_progress

LOG = logging.getLogger(__name__)

PROVISIONING_ENTITY = "oneview"


@dataclass
class Outcome:
    """Per-port results of one reconcile that are not simply "done"."""

    waiting: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    task_running: bool = False
    power_error: str | None = None  # the power-on we owe failed


def confirm_claims(context, api, profile_uri, profile, wanted, frozen, refused) -> None:
    """Bring our claims in line with the profile exactly as OneView returned it."""
    on_nic = {c.get("portId"): c for c in versions.profile_connections(profile, api)}
    held = {w.nic for w in wanted if w.port_id not in refused}
    released = []
    for record in claims_db.claims(context, server_profile_uri=profile_uri):
        claim = record.claim
        connection = on_nic.get(claim.nic)
        if claim.nic in frozen:
            continue
        if claim.nic in held:
            if connection is not None and connection.get("id") != claim.connection_id:
                claims_db.confirm_claim(context, profile_uri, claim.nic, connection.get("id"))
            continue
        still_ours = (
            connection is not None
            and claim.original is None
            and connection.get("name") == claim.connection_name
        )
        if not still_ours:
            released.append(claim.nic)
    if released:
        claims_db.drop_claims(context, server_profile_uri=profile_uri, nics=released)


def report(context, api, rows, wanted, profile, outcome: Outcome) -> None:
    """Each port's state, and ACTIVE (the provisioning block lifted) once its NICs are set."""
    actual = versions.profile_connections(profile or {}, api)
    done = port_progress(wanted, actual)
    for row in rows:
        port_id = row.port_id
        if port_id in outcome.waiting:
            ports_db.set_state(context, port_id, ports_db.WAITING, outcome.waiting[port_id])
        elif port_id in outcome.refused:
            ports_db.set_state(context, port_id, ports_db.REFUSED, outcome.refused[port_id])
        elif done.get(port_id) and outcome.power_error:
            ports_db.set_state(
                context,
                port_id,
                ports_db.WAITING,
                "connection in place, but powering the server on again failed "
                f"(retrying): {outcome.power_error}",
            )
        elif done.get(port_id):
            if row.state != ports_db.ACTIVE:
                ports_db.set_state(context, port_id, ports_db.ACTIVE)
            provisioning_blocks.provisioning_complete(
                context, port_id, resources.PORT, PROVISIONING_ENTITY
            )
        else:
            ports_db.set_state(
                context, port_id, ports_db.WAITING, "waiting for OneView to apply the change"
            )


def drop_stale_claims(context, hardware, profile_uri) -> None:
    """Forget claims on a profile the server no longer has (nothing left to restore)."""
    for record in claims_db.claims(context, server_hardware_uri=hardware["uri"]):
        if record.server_profile_uri != profile_uri:
            LOG.warning(
                "Server hardware %s no longer has server profile %s; forgetting our claim "
                "on its NIC %s (there is nothing left to restore)",
                hardware.get("name"),
                record.server_profile_uri,
                record.claim.nic,
            )
            claims_db.drop_claims(
                context, server_profile_uri=record.server_profile_uri, nics=[record.claim.nic]
            )


def server_gone(context, hardware_uri: str) -> None:
    """The server hardware vanished: end its ports' work with a recorded error."""
    why = f"server hardware {hardware_uri} no longer exists in OneView"
    claims_db.drop_claims(context, server_hardware_uri=hardware_uri)
    power_db.power_restored(context, hardware_uri)
    rows = ports_db.ports(context, server_hardware_uri=hardware_uri)
    for row in rows:
        ports_db.set_state(context, row.port_id, ports_db.ERROR, why)
    LOG.error(
        "%s; ports %s stay DOWN (rebind them to an existing server)",
        why,
        sorted(r.port_id for r in rows),
    )
