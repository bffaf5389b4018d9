"""Run recorded work: claim it from the database under a lease, reconcile, release.

The same ``WorkRunner`` serves the API processes (a background thread woken after each commit,
so API calls return at once) and the ``neutron-periodic-workers`` process (``OneViewWorker``,
which also compares everything periodically).  Leases in the database keep two processes from
applying the same object at once, on one host or many.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from neutron_lib import context as n_context
from neutron_lib import worker as n_worker

from networking_oneview.db import api as db
from networking_oneview.db import claims as claims_db
from networking_oneview.db import ports as ports_db
from networking_oneview.db import power as power_db
from networking_oneview.oneview import OneViewError
from networking_oneview.reconcile import desired
from networking_oneview.reconcile.applier import Applier, hardware_id
from networking_oneview.reconcile.outcomes import NotReady, Refused

LOG = logging.getLogger(__name__)

LEASE_SECONDS = 180.0  # a dead holder's work is taken over after this long
RENEW_EVERY = 60.0  # a live holder renews its leases this often, however long the job
BATCH = 20
MAX_BACKOFF = 300.0


def backoff(attempts: int) -> float:
    """Seconds before retrying an object that failed ``attempts`` times (jittered, capped)."""
    base = min(MAX_BACKOFF, 2.0 ** min(attempts, 10))
    return base * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not crypto


class LeaseKeeper:
    """Renews the leases of claimed work in the background while a long job runs (a server
    power-off, profile change and power-on can take minutes on real hardware)."""

    def __init__(
        self,
        works: list[db.Work],
        holder: str,
        every: float = RENEW_EVERY,
        context_factory: Callable[[], Any] = n_context.get_admin_context,
    ) -> None:
        self.works = works
        self.holder = holder
        self.every = every
        self._context_factory = context_factory
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="oneview-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            context = self._context_factory()
            for work in self.works:
                try:
                    if not db.renew_lease(context, work, self.holder, LEASE_SECONDS):
                        LOG.warning("Lost the lease on %s %s", work.kind, work.object_id)
                except Exception:
                    LOG.exception("Could not renew the lease on %s %s", work.kind, work.object_id)


class WorkRunner:
    """Claims due work items and hands each to the applier."""

    def __init__(self, applier: Applier, holder: str | None = None) -> None:
        self.applier = applier
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()  # one round at a time per process
        self._failed_now: set[tuple[str, str]] = set()  # objects that failed in this run

    def run_pending(self, context: Any | None = None, max_rounds: int = 100) -> int:
        """Process due work until none is left (or ``max_rounds``); return items processed."""
        context = context or n_context.get_admin_context()
        done = 0
        with self._lock:
            self._failed_now = set()  # not retried within this run
            for _ in range(max_rounds):
                claimed = db.claim_work(
                    context, self.holder, LEASE_SECONDS, BATCH, exclude=frozenset(self._failed_now)
                )
                if not claimed:
                    break
                with LeaseKeeper(claimed, self.holder):
                    networks = [w for w in claimed if w.kind == db.KIND_NETWORK]
                    if networks:
                        self._run_networks(context, networks)
                    for work in claimed:
                        if work.kind != db.KIND_NETWORK:
                            self._run(context, work)
                done += len(claimed)
        return done

    def _run_networks(self, context: Any, batch: list[db.Work]) -> None:
        """Networks first and together: one uplink-set PUT serves the whole batch."""
        failures = self.applier.reconcile_networks(context, [w.object_id for w in batch])
        for work in batch:
            error = failures.get(work.object_id)
            if error is None:
                db.complete_work(context, work, self.holder)
            else:
                self._failed(context, work, error)

    def _failed(self, context: Any, work: db.Work, error: Exception) -> None:
        self._failed_now.add((work.kind, work.object_id))
        if isinstance(error, Refused):
            LOG.error(
                "%s %s: %s. Not retried until something changes or "
                "'networking-oneview status --retry-now'",
                work.kind,
                work.object_id,
                error,
            )
            db.fail_work(context, work, self.holder, str(error), db.PARKED_SECONDS)
        elif isinstance(error, NotReady):
            self._retry(context, work, str(error), logging.WARNING, error.retry_after)
        elif isinstance(error, OneViewError):
            self._retry(context, work, str(error), logging.ERROR)
        else:
            LOG.error(
                "Reconciling %s %s failed unexpectedly",
                work.kind,
                work.object_id,
                exc_info=error,
            )
            self._retry(context, work, f"{type(error).__name__}: {error}", None)

    def _run(self, context: Any, work: db.Work) -> None:
        try:
            if work.kind == db.KIND_PORT:
                self.applier.reconcile_port(context, work.object_id)
            elif work.kind == db.KIND_SERVER:
                self.applier.reconcile_server(context, work.object_id)
            elif work.kind == db.KIND_FULL:
                self.applier.topology(refresh=True)
                enqueue_everything(context)
            else:
                LOG.error("Dropping work of unknown kind %r (%s)", work.kind, work.object_id)
        except Exception as error:
            self._failed(context, work, error)
        else:
            db.complete_work(context, work, self.holder)
            LOG.debug("Reconciled %s %s", work.kind, work.object_id)

    def _retry(
        self,
        context: Any,
        work: db.Work,
        error: str,
        level: int | None,
        delay: float | None = None,
    ) -> None:
        delay = backoff(work.attempts + 1) if delay is None else delay
        if level is not None:
            LOG.log(
                level,
                "Reconciling %s %s did not finish (attempt %d), retrying in %.0f s: %s",
                work.kind,
                work.object_id,
                work.attempts + 1,
                delay,
                error,
            )
        db.fail_work(context, work, self.holder, error, delay)


def enqueue_everything(context: Any) -> None:
    """Record work for every network, port and server Neutron or our records know (full sync).

    Objects already waiting are skipped: they are applied anyway, and a refusal parked until
    something changes must not be retried by every full sync.
    """
    networks = {s.network_id for s in desired.all_segments(context)}
    networks |= {o.network_id for o in db.owned_networks(context)}
    rows = {r.port_id: r for r in ports_db.ports(context)}
    bound = {p.port_id for p in desired.bound_ports(context)}
    ports = (bound - set(rows)) | (set(rows) - bound)  # a row is missing or stale
    servers = {r.server_hardware_uri for r in rows.values() if r.server_hardware_uri}
    servers |= {c.server_hardware_uri for c in claims_db.claims(context)}
    servers |= set(power_db.owed(context))
    queued = db.pending_objects(context)
    wanted = [(db.KIND_NETWORK, n) for n in sorted(networks)]
    wanted += [(db.KIND_PORT, p) for p in sorted(ports)]
    wanted += [(db.KIND_SERVER, hardware_id(s)) for s in sorted(servers)]
    for kind, object_id in wanted:
        if (kind, object_id) not in queued:
            db.record_work(context, kind, object_id)
    LOG.info(
        "Full sync: %d networks, %d ports and %d servers to compare",
        len(networks),
        len(ports),
        len(servers),
    )


class BackgroundRunner:
    """A daemon thread of one process that runs pending work when woken, and every ``poll``."""

    def __init__(self, runner: WorkRunner, poll: float = 30.0) -> None:
        self.runner = runner
        self.poll = poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def kick(self) -> None:
        """Ask for a round soon; starts the thread in this process on first use."""
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._loop, name="oneview-reconciler", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.runner.run_pending()
            except Exception:
                LOG.exception("OneView reconciler round failed; trying again later")

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)


class OneViewWorker(n_worker.BaseWorker):
    """The plugin worker: applies pending work and runs a full sync every ``sync_interval``."""

    def __init__(self, runner_factory: Callable[[], WorkRunner], sync_interval: float) -> None:
        super().__init__(worker_process_count=1, desc="networking-oneview reconciler")
        self._runner_factory = runner_factory
        self._sync_interval = sync_interval
        self._background: BackgroundRunner | None = None
        self._sync_timer: threading.Timer | None = None

    def start(self) -> None:
        super().start()
        self.setproctitle(desc="networking-oneview reconciler")
        runner = self._runner_factory()
        self._background = BackgroundRunner(runner, poll=5.0)
        self._full_sync()

    def _full_sync(self) -> None:
        try:
            db.record_work(n_context.get_admin_context(), db.KIND_FULL, "all")
        except Exception:
            LOG.exception("Could not schedule the periodic OneView full sync")
        if self._background is not None:
            self._background.kick()
        self._sync_timer = threading.Timer(self._sync_interval, self._full_sync)
        self._sync_timer.daemon = True
        self._sync_timer.start()

    def wait(self) -> None:
        if self._background is not None and self._background._thread is not None:
            self._background._thread.join()

    def stop(self) -> None:
        if self._sync_timer is not None:
            self._sync_timer.cancel()
        if self._background is not None:
            self._background.stop()

    def reset(self) -> None:
        """SIGHUP: nothing cached needs dropping beyond what the next round re-reads."""
