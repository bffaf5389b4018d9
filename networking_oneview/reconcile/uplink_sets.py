"""Reconcile uplink-set membership, one LIG at a time (work kind ``lig``).

A LIG's work covers its mapped uplink-set templates and the live uplink sets of every logical
interconnect built from it, so each of those documents has exactly one writer at a time (the
lease on the LIG's work) while different LIGs proceed in parallel.  The LIG PUT and the uplink-set
PUTs of its logical interconnects are independent documents: they go out in parallel, each a slow
task.  A network of ours whose VLAN another member already carries is left out and recorded as
that network's own error; every other network goes through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

from networking_oneview.db import networks as networks_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import work as work_db
from networking_oneview.oneview import OneViewClient, OneViewError, OneViewRequestError
from networking_oneview.oneview.paths import id_of
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.cache import SiteCache
from networking_oneview.reconcile.documents import StaleDocument, read_modify_write
from networking_oneview.reconcile.drift import Drift
from networking_oneview.reconcile.networks import MembershipPlan, plan_membership
from networking_oneview.reconcile.outcomes import NotReady
from networking_oneview.topology import MappedUplinkSet, Topology

LOG = logging.getLogger(__name__)

ROUNDS = 4
CLASH_PARK_SECONDS = work_db.PARKED_SECONDS


@dataclass(frozen=True)
class Wanted:
    """Our networks each mapped uplink set must carry, and every network that is ours."""

    by_template: dict[str, list[str]]  # uplink-set name -> our network URIs
    ours: frozenset[str]
    vlans: dict[str, int]
    network_of: dict[str, str]  # OneView URI -> Neutron network id


@dataclass
class Result:
    added: set[str] = field(default_factory=set)
    clashes: dict[str, str] = field(default_factory=dict)  # our URI -> why it was left out
    stale: list[str] = field(default_factory=list)  # documents to plan again
    errors: list[Exception] = field(default_factory=list)


class UplinkSets:
    """Makes the mapped uplink sets of one LIG (template and live copies) carry our networks."""

    kind = work_db.KIND_LIG
    batch = 1

    def __init__(
        self,
        client: OneViewClient,
        cache: SiteCache,
        parallel: Callable[[], futures.Executor],
    ) -> None:
        self.client = client
        self.cache = cache
        self._parallel = parallel

    def all_ids(self, context: Any) -> set[str]:
        return {id_of(m.lig_uri) for ms in self.cache.topology().uplink_sets.values() for m in ms}

    def reconcile(self, context: Any, ids: list[str]) -> dict[str, Exception]:
        failures: dict[str, Exception] = {}
        for lig_id in ids:
            try:
                self.reconcile_lig(context, lig_id)
            except Exception as error:
                failures[lig_id] = error
        return failures

    def drift(self, context: Any, ids: list[str]) -> list[Drift]:
        topology = self.cache.topology()
        found: list[Drift] = []
        for lig_id in ids:
            mapped = _mapped_in(topology, lig_id)
            if not mapped:
                continue
            wanted = self._wanted(context, mapped, topology, fresh=False)
            by_name = {m.ref.name: m for _, m in mapped}
            documents = [("lig", mapped[0][1].lig_uri)]
            documents += [("uplink-set", u) for _, m in mapped for u in m.li_uplink_set_uris]
            for kind, uri in documents:
                document = self.client.get(uri)
                holders = document.get("uplinkSets", []) if kind == "lig" else [document]
                for holder in holders:
                    uplink_set = by_name.get(holder.get("name"))
                    if uplink_set is None:
                        continue
                    plan = self._plan(holder, uplink_set, wanted, uri, log=False)
                    label = f"{uri} / {uplink_set.ref.name}"
                    found += [Drift(self.kind, label, "add", n) for n in plan.added]
                    found += [Drift(self.kind, label, "remove", n) for n in plan.removed]
                    found += [
                        Drift(self.kind, label, "refuse", f"{n}: VLAN already carried by {o}")
                        for n, o in plan.clashes
                    ]
        return found

    # -- one LIG ---------------------------------------------------------------------------------
    def reconcile_lig(self, context: Any, lig_id: str) -> None:
        topology = self.cache.topology()
        mapped = _mapped_in(topology, lig_id)
        if not mapped:
            LOG.info("LIG %s is no longer mapped to any physnet; nothing to do", lig_id)
            return
        documents = [("lig", mapped[0][1].lig_uri)]
        documents += [("uplink-set", u) for _, m in mapped for u in m.li_uplink_set_uris]
        result = Result()
        for attempt in range(ROUNDS):
            wanted = self._wanted(context, mapped, topology, fresh=attempt > 0)
            round_result = self._apply_all(documents, mapped, wanted, refused_stale=attempt == 0)
            result.added |= round_result.added
            result.clashes.update(round_result.clashes)
            result.errors += round_result.errors
            if not round_result.stale:
                break
            documents = [d for d in documents if d[1] in round_result.stale]
            topology = self.cache.topology(refresh=True)
        else:
            raise NotReady(f"uplink sets of LIG {lig_id} kept changing; trying again later")
        self._record_clashes(context, result.clashes, wanted)
        self._wake_waiting_servers(context, result.added)
        if result.errors:
            raise result.errors[0]

    def _wanted(
        self,
        context: Any,
        mapped: list[tuple[str, MappedUplinkSet]],
        topology: Topology,
        fresh: bool,
    ) -> Wanted:
        """Our recorded networks per mapped uplink set.  When ``topology`` was just read again
        (a PUT named a network that is gone), a recorded network OneView no longer has is left
        out and its Neutron network queued: its work recreates it."""
        owned = networks_db.owned_networks(context)
        if fresh:
            gone = [o for o in owned if o.oneview_uri not in topology.networks]
            for record in gone:
                LOG.warning(
                    "OneView network %s of network %s is gone from OneView; leaving it out of "
                    "the uplink sets and recreating it",
                    record.oneview_uri,
                    record.network_id,
                )
                work_db.record_work(context, work_db.KIND_NETWORK, record.network_id)
            owned = [o for o in owned if o.oneview_uri in topology.networks]
        by_template: dict[str, list[str]] = {}
        for physnet, uplink_set in mapped:
            kind = "vlan" if uplink_set.network_type == "Tagged" else "flat"
            by_template[uplink_set.ref.name] = [
                o.oneview_uri for o in owned if o.physnet == physnet and o.network_type == kind
            ]
        vlans = dict(topology.vlans)
        vlans.update({o.oneview_uri: o.segmentation_id for o in owned if o.segmentation_id})
        return Wanted(
            by_template,
            frozenset(o.oneview_uri for o in owned),
            vlans,
            {o.oneview_uri: o.network_id for o in owned},
        )

    def _apply_all(self, documents, mapped, wanted: Wanted, refused_stale: bool) -> Result:
        """PUT every changed document of the LIG in parallel; collect what happened.

        A document changed meanwhile, or naming a network gone meanwhile, is planned again.  So
        is, once, a refusal (400): another member may carry a VLAN our last topology read did
        not show yet, and the fresh read finds it and leaves our clashing network out.
        """
        result = Result()
        by_name = {m.ref.name: m for _, m in mapped}
        jobs = {}
        with self._parallel() as pool:
            for kind, uri in documents:
                jobs[pool.submit(self._apply_one, kind, uri, by_name, wanted)] = uri
            for job in futures.as_completed(jobs):
                uri = jobs[job]
                try:
                    plans = job.result()
                except StaleDocument:
                    result.stale.append(uri)
                    continue
                except OneViewRequestError as error:
                    if refused_stale:
                        result.stale.append(uri)
                    else:
                        LOG.error("OneView refused the membership change of %s: %s", uri, error)
                        result.errors.append(error)
                    continue
                except (OneViewError, NotReady) as error:
                    result.errors.append(error)
                    continue
                for plan in plans:
                    result.added |= set(plan.added)
                    for ours, holder in plan.clashes:
                        result.clashes[ours] = (
                            f"VLAN {wanted.vlans.get(ours)} is already carried by {holder} in "
                            f"{uri}; OneView allows one network per VLAN in an uplink set"
                        )
        return result

    def _apply_one(self, kind, uri, by_name, wanted: Wanted) -> list[MembershipPlan]:
        plans: list[MembershipPlan] = []

        def change(document: dict[str, Any]) -> bool:
            plans.clear()
            holders = document.get("uplinkSets", []) if kind == "lig" else [document]
            changed = False
            for holder in holders:
                mapped = by_name.get(holder.get("name"))
                if mapped is None:
                    continue
                plan = self._plan(holder, mapped, wanted, f"{document.get('name')} ({uri})")
                plans.append(plan)
                if plan.network_uris is not None:
                    holder["networkUris"] = plan.network_uris
                    changed = True
            return changed

        read_modify_write(self.client, uri, change, kind=_KINDS[kind], attempts=1)
        return plans

    @staticmethod
    def _plan(
        holder, mapped: MappedUplinkSet, wanted: Wanted, label: str, log: bool = True
    ) -> MembershipPlan:
        plan = plan_membership(
            holder.get("networkUris") or [],
            wanted.by_template.get(mapped.ref.name, []),
            wanted.ours,
            mapped.network_type == "Untagged",
            wanted.vlans,
        )
        if not log:
            return plan
        if plan.conflicts:
            LOG.error(
                "%s / %s is Untagged and already carries %s, which is not ours; our flat network "
                "cannot join it. Remove that network from the uplink set or map another one.",
                label,
                mapped.ref.name,
                ", ".join(plan.conflicts),
            )
        elif plan.network_uris is not None:
            LOG.info(
                "%s / %s: adding %s, removing %s",
                label,
                mapped.ref.name,
                list(plan.added),
                list(plan.removed),
            )
        return plan

    # -- recording -------------------------------------------------------------------------------
    @staticmethod
    def _record_clashes(context: Any, clashes: dict[str, str], wanted: Wanted) -> None:
        for uri, why in sorted(clashes.items()):
            network_id = wanted.network_of.get(uri)
            LOG.error("OneView network %s (network %s) left out: %s", uri, network_id, why)
            if network_id:
                work_db.park_work(
                    context, work_db.KIND_NETWORK, network_id, why, CLASH_PARK_SECONDS
                )

    @staticmethod
    def _wake_waiting_servers(context: Any, added: set[str]) -> None:
        """Servers whose ports wait for a network that has just joined: look at them now."""
        if not added:
            return
        waiting = [p for p in ports_db.ports(context) if p.state == ports_db.WAITING]
        bound = desired.bound_ports(context, port_ids=[p.port_id for p in waiting])
        needing = {b.port_id for b in bound if _network_uri(context, b.segment_id) in added}
        for hardware_uri in sorted(
            {p.server_hardware_uri for p in waiting if p.port_id in needing}
        ):
            if hardware_uri:
                work_db.record_work(context, work_db.KIND_SERVER, id_of(hardware_uri))


_KINDS = {"lig": "logical-interconnect-group", "uplink-set": "uplink-set"}


def _network_uri(context: Any, segment_id: str | None) -> str | None:
    record = networks_db.owned_network_by_segment(context, segment_id) if segment_id else None
    return record.oneview_uri if record is not None else None


def _mapped_in(topology: Topology, lig_id: str) -> list[tuple[str, MappedUplinkSet]]:
    return [
        (physnet, m)
        for physnet, ms in sorted(topology.uplink_sets.items())
        for m in ms
        if id_of(m.lig_uri) == lig_id
    ]
