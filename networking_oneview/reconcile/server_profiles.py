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
from dataclasses import dataclass
from typing import Any

from networking_oneview.db import claims as claims_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import power as power_db
from networking_oneview.db import work as work_db
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
from networking_oneview.reconcile import server_records as records
from networking_oneview.reconcile.cache import Inventory
from networking_oneview.reconcile.connections import (
    ADOPT,
    plan_profile,
)
from networking_oneview.reconcile.drift import Drift
from networking_oneview.reconcile.outcomes import NotReady, Refused, WaitingForServer
from networking_oneview.reconcile.power import PowerControl, PowerLocked
from networking_oneview.reconcile.server_needs import Needs, NicNeeds
from networking_oneview.topology import Topology

LOG = logging.getLogger(__name__)

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


class ServerProfiles:
    """Makes a server's profile carry the connections its bound ports need (work kind
    ``server``, one server per claim so different servers run in parallel)."""

    kind = work_db.KIND_SERVER
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
        self.needs = NicNeeds(client, topology)
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

    def drift(self, context: Any, ids: list[str]) -> list[Drift]:
        """The connection changes each server's profile needs, read-only."""
        found: list[Drift] = []
        for hardware_id in ids:
            uri = f"{HARDWARE}/{id_of(hardware_id)}"
            try:
                hardware = self.client.get(uri)
            except OneViewNotFound:
                found.append(Drift(self.kind, uri, "forget", "server hardware is gone"))
                continue
            rows, bound = self._bound_rows(context, uri)
            profile_uri = hardware.get("serverProfileUri")
            if not profile_uri:
                found += [Drift(self.kind, uri, "wait", "no server profile")] if rows else []
                continue
            needs = self.needs.of(context, hardware, rows, bound)
            plan = self._plan(context, profile_uri, self.client.get(profile_uri), needs)
            label = f"{hardware.get('name')} ({profile_uri})"
            found += [Drift(self.kind, label, "change", change) for change in plan.changes]
            found += [Drift(self.kind, label, "refuse", r.message) for r in plan.refusals]
            found += [
                Drift(self.kind, label, "wait", f"port {p}: {why}")
                for p, why in sorted(needs.waiting.items())
            ]
        return found

    def _bound_rows(self, context: Any, hardware_uri: str) -> tuple[list, dict]:
        """The server's port records whose ports are still bound by us, and their bindings."""
        rows = ports_db.ports(context, server_hardware_uri=hardware_uri)
        bound = {
            b.port_id: b for b in desired.bound_ports(context, port_ids=[r.port_id for r in rows])
        }
        return [r for r in rows if r.port_id in bound], bound

    def _plan(self, context: Any, profile_uri: str, profile: dict[str, Any], needs: Needs):
        claims = [c.claim for c in claims_db.claims(context, server_profile_uri=profile_uri)]
        return plan_profile(
            needs.wanted,
            claims,
            versions.profile_connections(profile, self.client.api_version),
            cloud=self.settings.cloud_name,
            existing=self.settings.existing_connections,
            frozen=needs.frozen,
        )

    def reconcile_server(self, context: Any, hardware_uri: str) -> None:
        try:
            hardware = self.client.get(hardware_uri)
        except OneViewNotFound:
            records.server_gone(context, hardware_uri)
            return
        rows, bound = self._bound_rows(context, hardware_uri)
        profile_uri = hardware.get("serverProfileUri")
        records.drop_stale_claims(context, hardware, profile_uri)
        if not profile_uri:
            self._without_profile(context, hardware, rows)
            return
        needs = self.needs.of(context, hardware, rows, bound)
        wanted, frozen = needs.wanted, needs.frozen
        outcome = records.Outcome(waiting=dict(needs.waiting))
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
            records.confirm_claims(
                context,
                self.client.api_version,
                profile_uri,
                profile,
                wanted,
                frozen,
                outcome.refused,
            )
            self.inventory.note_profile(profile)
        records.report(context, self.client.api_version, rows, wanted, profile, outcome)
        if failure is not None:
            raise failure
        self._finish(hardware, outcome)

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
            plan = self._plan(context, profile_uri, profile, Needs(wanted, frozen))
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

    def _without_profile(self, context, hardware, rows) -> None:
        self._settle_power(context, hardware["uri"], None, records.Outcome(), None)
        if not rows:
            return
        why = (
            f"server hardware {hardware.get('name')!r} ({hardware['uri']}) has no server "
            "profile; the port stays DOWN until one is applied in OneView"
        )
        for row in rows:
            ports_db.set_state(context, row.port_id, ports_db.WAITING, why)
        raise NotReady(f"ports {sorted(r.port_id for r in rows)}: {why}")


def permanent(error: Exception) -> bool:
    """Whether OneView refused the request itself (validation), not the moment (a failure)."""
    if isinstance(error, OneViewRequestError):
        return True
    code = getattr(error, "error_code", None) or ""
    return isinstance(error, OneViewTaskError) and bool(_PERMANENT.search(code))
