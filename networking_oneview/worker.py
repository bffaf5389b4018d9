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
import threading
import time
import uuid
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from typing import Any

from neutron_lib import context as n_context
from neutron_lib import worker as n_worker

from networking_oneview.conf import controller_name
from networking_oneview.db import models
from networking_oneview.db import work as work_db
from networking_oneview.oneview import OneViewError
from networking_oneview.reconcile.outcomes import NotReady, Refused
from networking_oneview.reconcile.registry import Registry

LOG = logging.getLogger(__name__)

LEASE_SECONDS = 180.0  # a dead holder's work is taken over after this long
RENEW_EVERY = 60.0  # a live holder renews its leases this often, however long the job
MAX_BACKOFF = 300.0
DEAD_HOLDER_CHECK = 5.0  # seconds between two looks for leases of this host's dead processes
POLL_WHILE_BUSY = 0.5  # while jobs run, look for new work this often
HOLDER_LENGTH = models.OneViewPendingWork.lease_holder.type.length


def backoff(attempts: int) -> float:
    """Seconds before retrying an object that failed ``attempts`` times (jittered, capped)."""
    base = min(MAX_BACKOFF, 2.0 ** min(attempts, 10))
    return base * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not crypto


class LeaseKeeper:
    """Renews the leases of claimed work in the background while a long job runs (a server
    power-off, profile change and power-on can take minutes on real hardware)."""

    def __init__(
        self,
        works: list[work_db.Work],
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
                    if not work_db.renew_lease(context, work, self.holder, LEASE_SECONDS):
                        LOG.warning("Lost the lease on %s %s", work.kind, work.object_id)
                except Exception:
                    LOG.exception("Could not renew the lease on %s %s", work.kind, work.object_id)


@dataclass(frozen=True)
class Job:
    """Work items one reconciler call handles together (one object, or a batch of networks)."""

    kind: str
    works: tuple[work_db.Work, ...]


class _Inline(futures.Executor):
    """Runs each job at once in the caller's thread (see ``WorkRunner.run_pending``)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: futures.Future = futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future
            future.set_exception(error)
        return future


class WorkRunner:
    """Claims due work in small units and hands each to its kind's reconciler.

    Up to ``parallel`` jobs run at once (profile edits of different servers, the LIG work of
    different LIGs, a batch of networks), each under its own lease, so other processes and hosts
    can take the rest.  Networks are claimed in batches (one bulk request serves many).
    """

    def __init__(self, registry: Registry, holder: str | None = None, parallel: int = 8) -> None:
        self.registry = registry
        self.holder = holder or default_holder()
        self.parallel = max(1, parallel)
        self._lock = threading.Lock()  # one run at a time per runner
        self._failed_now: set[tuple[str, str]] = set()  # objects that failed in this run
        self._dead_checked = float("-inf")  # time.monotonic() of the last dead-holder check

    def run_pending(self, context: Any | None = None, max_rounds: int = 100) -> int:
        """Process due work until none is left (or ``max_rounds`` claims that found some);
        return the number of items done.

        Without ``context`` jobs run in parallel threads, each with its own database session.
        With one (Neutron's in-process test harness, whose single in-memory SQLite connection
        must not be shared between threads, and the CLI), jobs run one after another on it.
        """
        done = 0
        with self._lock:
            self._failed_now = set()  # not retried within this run
            pool = (
                futures.ThreadPoolExecutor(self.parallel, "oneview-job")
                if context is None
                else _Inline()
            )
            running: dict[futures.Future, Job] = {}
            rounds = 0
            try:
                while True:
                    if rounds < max_rounds and len(running) < self.parallel:
                        jobs = self._claim(context, running)
                        rounds += 1 if jobs else 0  # looking while busy is not a round
                        for job in jobs:
                            running[pool.submit(self._execute, context, job)] = job
                    if not running:
                        break
                    finished, _ = futures.wait(
                        running, timeout=POLL_WHILE_BUSY, return_when=futures.FIRST_COMPLETED
                    )
                    for future in finished:
                        done += len(running.pop(future).works)
            finally:
                pool.shutdown(wait=True)
        return done

    def _claim(self, context: Any | None, running: dict[futures.Future, Job]) -> list[Job]:
        """Claim what fits: a batch for each batched kind not already running here, then
        single objects up to the free slots."""
        context = context or n_context.get_admin_context()
        self._release_dead_holders(context)
        exclude = frozenset(self._failed_now)
        busy = {job.kind for job in running.values()}
        jobs: list[Job] = []
        singles = []
        for reconciler in self.registry:
            if reconciler.batch <= 1:
                singles.append(reconciler.kind)
            elif reconciler.kind not in busy:
                claimed = work_db.claim_work(
                    context,
                    self.holder,
                    LEASE_SECONDS,
                    reconciler.batch,
                    exclude=exclude,
                    kinds=frozenset({reconciler.kind}),
                )
                if claimed:
                    jobs.append(Job(reconciler.kind, tuple(claimed)))
        free = self.parallel - len(running) - len(jobs)
        if free > 0 and singles:
            claimed = work_db.claim_work(
                context, self.holder, LEASE_SECONDS, free, exclude=exclude, kinds=frozenset(singles)
            )
            jobs += [Job(w.kind, (w,)) for w in claimed]
        return jobs

    def _release_dead_holders(self, context: Any) -> None:
        """Take over at once the leases of this host's processes that died (at most every
        ``DEAD_HOLDER_CHECK`` seconds: one small query)."""
        now = time.monotonic()
        if now - self._dead_checked < DEAD_HOLDER_CHECK:
            return
        self._dead_checked = now
        for holder in work_db.lease_holders(context):
            if dead_holder(holder, self.holder):
                released = work_db.release_leases_of(context, holder)
                LOG.warning(
                    "Process %s of this host is gone; took over %d work item(s) it held",
                    holder,
                    released,
                )

    def _execute(self, context: Any | None, job: Job) -> None:
        context = context or n_context.get_admin_context()
        reconciler = self.registry.get(job.kind)
        with LeaseKeeper(list(job.works), self.holder):
            if reconciler is None:
                for work in job.works:
                    LOG.error("Dropping work of unknown kind %r (%s)", work.kind, work.object_id)
                    work_db.complete_work(context, work, self.holder)
                return
            try:
                failures = reconciler.reconcile(context, [w.object_id for w in job.works])
            except Exception as error:  # the reconciler itself broke: every item failed
                failures = {w.object_id: error for w in job.works}
            for work in job.works:
                error = failures.get(work.object_id)
                if error is None:
                    work_db.complete_work(context, work, self.holder)
                    LOG.debug("Reconciled %s %s", work.kind, work.object_id)
                else:
                    self._failed(context, work, error)

    def _failed(self, context: Any, work: work_db.Work, error: Exception) -> None:
        self._failed_now.add((work.kind, work.object_id))
        if isinstance(error, Refused):
            LOG.error(
                "%s %s: %s. Not retried until something changes or "
                "'networking-oneview status --retry-now'",
                work.kind,
                work.object_id,
                error,
            )
            work_db.fail_work(context, work, self.holder, str(error), work_db.PARKED_SECONDS)
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

    def _retry(
        self,
        context: Any,
        work: work_db.Work,
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
        work_db.fail_work(context, work, self.holder, error, delay)


def dead_holder(holder: str, own: str) -> bool:
    """Whether ``holder`` was a process of this host (``own``'s host part) that is gone.

    A SIGKILLed or OOM-killed process cannot release its leases; without this its work (a
    LIG, a server, the full sync) waits ``LEASE_SECONDS`` for the lease to expire.  Only a
    process of this very host and PID namespace (containers on one host share ``[DEFAULT]
    host`` but not their PIDs) whose PID no longer exists is declared dead: any doubt (another
    host or namespace, a PID that runs, a holder we cannot parse) keeps the lease.
    """
    if holder == own:
        return False
    theirs, mine = _holder_parts(holder), _holder_parts(own)
    if theirs is None or mine is None or theirs[::2] != mine[::2]:
        return False  # another host or PID namespace, or not our format
    try:
        os.kill(int(theirs[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists (another user's process): not ours to judge
    return False


def _holder_parts(holder: str) -> tuple[str, str, str] | None:
    """(host, pid, PID namespace) of ``host:pid:NAMESPACE.nonce``; None for anything else."""
    host, _, rest = holder.rpartition(":")[0].rpartition(":")
    namespace = holder.rpartition(":")[2].partition(".")[0]
    if not host or not rest.isdigit() or "." not in holder.rpartition(":")[2] or not namespace:
        return None
    return host, rest, namespace


def _pid_namespace() -> str:
    """This process's PID namespace (the inode of /proc/self/ns/pid), in hex; "" if unknown."""
    try:
        return format(os.stat("/proc/self/ns/pid").st_ino, "x")
    except OSError:
        return ""


def default_holder() -> str:
    """host:pid:NAMESPACE.random (host: Neutron's ``[DEFAULT] host``; NAMESPACE: the PID
    namespace, see ``dead_holder``), cut to fit the lease column whatever the host name's
    length."""
    suffix = f":{os.getpid()}:{_pid_namespace()}.{uuid.uuid4().hex[:8]}"
    return controller_name()[: HOLDER_LENGTH - len(suffix)] + suffix


def enqueue_everything(context: Any) -> None:
    """Queue a full sync (the periodic timer and ``networking-oneview sync`` call this)."""
    work_db.record_work(context, work_db.KIND_FULL, "all")


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
            enqueue_everything(n_context.get_admin_context())
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
