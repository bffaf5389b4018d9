"""Reconcile one server: its profile's connections for the bare-metal ports bound to it.

It runs under the server's lease, so exactly one process edits a profile at a time.  Each round
reads the profile, plans NIC by NIC (``connections.plan_profile``), records the claims *before*
the PUT and derives what we hold from the profile OneView returns *after* it.  A change is first
sent with the server as it is: OneView itself says when it needs the server off
(``ServerNotOffWithCauseForNoServerChange``), and any other refusal is recorded without touching
the power.  A port turns ACTIVE only when its NIC carries its network and that network really
reaches the server (it is in the mapped uplink set of the server's logical interconnect).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neutron.db import provisioning_blocks
from neutron_lib.callbacks import resources

from networking_oneview.db import api as db
from networking_oneview.db import claims as claims_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import power as power_db
from networking_oneview.oneview import (
    OneViewClient,
    OneViewConflict,
    OneViewNotFound,
    OneViewRequestError,
    OneViewTaskError,
    OneViewTaskTimeout,
    versions,
)
from networking_oneview.oneview.paths import HARDWARE, id_of
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.cache import Inventory
from networking_oneview.reconcile.connections import (
    ADOPT,
    WantedNic,
    plan_profile,
    port_progress,
)
from networking_oneview.reconcile.outcomes import NotReady, Refused, WaitingForServer
from networking_oneview.reconcile.power import PowerControl, PowerLocked
from networking_oneview.topology import Topology

LOG = logging.getLogger(__name__)

PROVISIONING_ENTITY = "oneview"
SERVER_NOT_OFF = "ServerNotOffWithCauseForNoServerChange"
PROFILE_CHANGED = "PROFILE_CHANGED_DURING_UPDATE"
ROUNDS = 4  # plans per reconcile: a stale eTag or the one power-off each cost a round
# Task error codes of refusals that trying again cannot cure (the request itself is wrong).
_PERMANENT = re.compile(
    r"^(INVALID|DUPLICATE|NO_FREE)|NOT_SUPPORTED|NOT_FOUND|TEMPLATE|BANDWIDTH|COMPLIANCE"
)


@dataclass(frozen=True)
class ServerSettings:
    cloud_name: str = "neutron"
    existing_connections: str = ADOPT
    allow_power_off: bool = True


@dataclass
class _Outcome:
    """Per-port results of one reconcile that are not simply "done"."""

    waiting: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    task_running: bool = False
    power_error: str | None = None  # the power-on we owe failed


class ServerProfiles:
    """Makes a server's profile carry the connections its bound ports need (work kind
    ``server``, one server per claim so different servers run in parallel)."""

    kind = db.KIND_SERVER
    batch = 1

    def __init__(
        self,
        client: OneViewClient,
        settings: ServerSettings,
        inventory: Inventory,
        topology: Callable[[], Topology],
        power: PowerControl,
    ) -> None:
        self.client = client
        self.settings = settings
        self.inventory = inventory
        self.topology = topology
        self.power = power
        self._template_warned: set[str] = set()

    # -- the entry points -----------------------------------------------------------------------
    def all_ids(self, context: Any) -> set[str]:
        """Servers with a bound port, a claim of ours or a power-on we owe."""
        uris = {r.server_hardware_uri for r in ports_db.ports(context) if r.server_hardware_uri}
        uris |= {c.server_hardware_uri for c in claims_db.claims(context)}
        uris |= set(power_db.owed(context))
        return {id_of(uri) for uri in uris}

    def reconcile(self, context: Any, ids: list[str]) -> dict[str, Exception]:
        failures: dict[str, Exception] = {}
        for hardware_id in ids:
            try:
                self.reconcile_server(context, f"{HARDWARE}/{id_of(hardware_id)}")
            except Exception as error:
                failures[hardware_id] = error
        return failures

    def reconcile_server(self, context: Any, hardware_uri: str) -> None:
        try:
            hardware = self.client.get(hardware_uri)
        except OneViewNotFound:
            self._server_gone(context, hardware_uri)
            return
        rows = ports_db.ports(context, server_hardware_uri=hardware_uri)
        bound = {
            b.port_id: b for b in desired.bound_ports(context, port_ids=[r.port_id for r in rows])
        }
        rows = [r for r in rows if r.port_id in bound]
        profile_uri = hardware.get("serverProfileUri")
        self._drop_stale_claims(context, hardware, profile_uri)
        if not profile_uri:
            self._without_profile(context, hardware, rows)
            return
        outcome = _Outcome()
        wanted, frozen = self._wanted(context, hardware, rows, bound, outcome)
        profile, failure = None, None
        try:
            profile = self._converge(context, hardware, profile_uri, wanted, frozen, outcome)
        except Exception as error:  # the power is settled and ownership recorded first
            failure = error
        try:
            self._settle_power(context, hardware_uri, profile_uri, outcome, failure)
        except Exception as error:
            outcome.power_error = str(error)
            failure = error
        if profile is not None:
            self._confirm_claims(context, profile_uri, profile, wanted, frozen, outcome)
            self.inventory.note_profile(profile)
        self._report(context, rows, wanted, profile, outcome)
        if failure is not None:
            raise failure
        self._finish(hardware, outcome)

    # -- desired state --------------------------------------------------------------------------
    def _wanted(self, context, hardware, rows, bound, outcome) -> tuple[list[WantedNic], set]:
        """The NICs ready to be set, and those to leave alone (their port is not ready)."""
        wanted: list[WantedNic] = []
        frozen: set[str] = set()
        uplink_cache: dict[str, dict[str, Any]] = {}
        for row in rows:
            network_uri, why = self._network_for(
                context, bound[row.port_id], hardware, uplink_cache
            )
            if network_uri is None:
                outcome.waiting[row.port_id] = why
                frozen |= {n.nic for n in row.nics}
                continue
            wanted += [WantedNic(n.nic, row.port_id, network_uri, n.bootable) for n in row.nics]
        return wanted, frozen

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
        record = db.owned_network_by_segment(context, segment.id)
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

    # -- applying -----------------------------------------------------------------------------
    def _converge(self, context, hardware, profile_uri, wanted, frozen, outcome):
        """PUT until the profile matches; return the profile as OneView last returned it."""
        api = self.client.api_version
        powered_off = False
        for _ in range(ROUNDS):
            profile = self.client.get(profile_uri)
            if profile.get("inProgress"):
                outcome.task_running = True
                raise NotReady(
                    f"server profile {profile.get('name')!r} is being changed by a running "
                    "OneView task"
                )
            claims = [c.claim for c in claims_db.claims(context, server_profile_uri=profile_uri)]
            plan = plan_profile(
                wanted,
                claims,
                versions.profile_connections(profile, api),
                cloud=self.settings.cloud_name,
                existing=self.settings.existing_connections,
                frozen=frozen,
            )
            for warning in plan.warnings:
                LOG.warning("Server profile %s (%s): %s", profile.get("name"), profile_uri, warning)
            if plan.connections is not None:
                self._warn_template(profile)
            for refusal in plan.refusals:
                outcome.refused[refusal.port_id] = refusal.message
            for claim in plan.claims:  # before the PUT: a crash after it still knows the original
                claims_db.save_claim(context, hardware["uri"], profile_uri, claim)
            if plan.connections is None:
                return profile
            LOG.info(
                "Server profile %s (%s): %s",
                profile.get("name"),
                profile_uri,
                "; ".join(plan.changes),
            )
            body = versions.with_profile_connections(profile, plan.connections, api)
            try:
                return self.client.update(body, kind="server-profile")
            except OneViewTaskError as error:
                if error.error_code == PROFILE_CHANGED:
                    LOG.info("Server profile %s changed meanwhile; planning again", profile_uri)
                    continue
                if error.error_code == SERVER_NOT_OFF and not powered_off:
                    self._power_off(context, hardware, wanted, outcome)
                    powered_off = True  # at most one power cycle per change
                    continue
                if permanent(error):
                    self._refused(wanted, outcome, error)
                raise
            except OneViewConflict:
                LOG.info("Server profile %s changed meanwhile; planning again", profile_uri)
            except OneViewRequestError as error:
                self._refused(wanted, outcome, error)
            except OneViewTaskTimeout:
                outcome.task_running = True
                raise
        raise NotReady(
            f"server profile {profile_uri} kept changing while we planned ({ROUNDS} rounds); "
            "trying again later"
        )

    def _warn_template(self, profile: dict[str, Any]) -> None:
        """Say once per profile that its template will report it inconsistent."""
        template = profile.get("serverProfileTemplateUri")
        managed = (profile.get("connectionSettings") or {}).get("manageConnections", True)
        if not template or not managed or profile.get("uri") in self._template_warned:
            return
        self._template_warned.add(profile.get("uri"))
        LOG.warning(
            "Server profile %s (%s) is made from template %s, which manages its connections: "
            "OneView will report the profile inconsistent with its template while bare-metal "
            "ports use its NICs. An 'update from template' puts the template's networks back; "
            "the next full sync then re-applies the ports' networks in place.",
            profile.get("name"),
            profile.get("uri"),
            template,
        )

    @staticmethod
    def _refused(wanted, outcome, error) -> None:
        message = f"OneView refused the profile change: {error}"
        for want in wanted:
            outcome.refused.setdefault(want.port_id, message)
        raise Refused(message)

    def _power_off(self, context, hardware, wanted, outcome) -> None:
        hardware = self.client.get(hardware["uri"])
        if not self.settings.allow_power_off:
            why = (
                f"server hardware {hardware.get('name')!r} must be powered off for this change "
                "and [oneview] allow_power_off = false; it is applied once the server is off"
            )
            for want in wanted:
                outcome.waiting.setdefault(want.port_id, why)
            raise WaitingForServer(why)
        try:
            self.power.power_off(context, hardware)
        except PowerLocked as error:
            for want in wanted:
                outcome.waiting.setdefault(want.port_id, str(error))
            raise NotReady(str(error)) from None

    def _settle_power(self, context, hardware_uri, profile_uri, outcome, failure) -> None:
        """Power the server on again if we owe it, but never while our profile task runs."""
        if not power_db.owes_power_on(context, hardware_uri):
            return
        if outcome.task_running or (profile_uri and self.client.get(profile_uri).get("inProgress")):
            LOG.warning(
                "Server hardware %s stays off until its profile task ends; it is powered on "
                "by a later round",
                hardware_uri,
            )
            return
        try:
            self.power.settle(context, hardware_uri)
        except Exception as error:
            LOG.error(
                "Could not power server hardware %s on again (retrying): %s", hardware_uri, error
            )
            if failure is None:
                raise

    # -- recording ----------------------------------------------------------------------------
    def _confirm_claims(self, context, profile_uri, profile, wanted, frozen, outcome) -> None:
        """Bring our claims in line with the profile exactly as OneView returned it."""
        on_nic = {
            c.get("portId"): c
            for c in versions.profile_connections(profile, self.client.api_version)
        }
        held = {w.nic for w in wanted if w.port_id not in outcome.refused}
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

    def _report(self, context, rows, wanted, profile, outcome) -> None:
        actual = versions.profile_connections(profile or {}, self.client.api_version)
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

    @staticmethod
    def _finish(hardware, outcome) -> None:
        name = hardware.get("name")
        if outcome.waiting:
            raise NotReady(
                f"server hardware {name!r}: "
                + "; ".join(f"port {p}: {why}" for p, why in sorted(outcome.waiting.items()))
            )
        if outcome.refused:
            raise Refused(
                f"server hardware {name!r}: "
                + "; ".join(f"port {p}: {why}" for p, why in sorted(outcome.refused.items()))
            )

    # -- servers without a profile, or gone -------------------------------------------------
    def _drop_stale_claims(self, context, hardware, profile_uri) -> None:
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

    def _without_profile(self, context, hardware, rows) -> None:
        self._settle_power(context, hardware["uri"], None, _Outcome(), None)
        if not rows:
            return
        why = (
            f"server hardware {hardware.get('name')!r} ({hardware['uri']}) has no server "
            "profile; the port stays DOWN until one is applied in OneView"
        )
        for row in rows:
            ports_db.set_state(context, row.port_id, ports_db.WAITING, why)
        raise NotReady(f"ports {sorted(r.port_id for r in rows)}: {why}")

    def _server_gone(self, context, hardware_uri: str) -> None:
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


def permanent(error: Exception) -> bool:
    """Whether OneView refused the request itself (validation), not the moment (a failure)."""
    if isinstance(error, OneViewRequestError):
        return True
    code = getattr(error, "error_code", None) or ""
    return isinstance(error, OneViewTaskError) and bool(_PERMANENT.search(code))
