"""OneView tasks: waiting for one to end (adaptive polling) and the bound on tasks in flight.

Most OneView writes answer 202 with a task and finish later; a write is only done when its task
is.  Most tasks finish within a second or two, so the first poll comes soon after the write was
answered and each later wait is longer, up to polling_interval.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_result, stop_after_delay, wait_exponential

from networking_oneview.oneview import paths
from networking_oneview.oneview.documents import Reader
from networking_oneview.oneview.errors import OneViewTaskError, OneViewTaskTimeout
from networking_oneview.oneview.forks import ForkGuard
from networking_oneview.oneview.paths import path_of
from networking_oneview.oneview.session import Answer, Session
from networking_oneview.oneview.settings import ClientSettings

# The name the client's records had before it was split into modules: log filters keep working.
LOG = logging.getLogger("networking_oneview.oneview.client")

TASK_SUCCESS_STATES = frozenset({"Completed", "Warning"})
TASK_FAILURE_STATES = frozenset({"Error", "Killed", "Terminated", "Interrupted"})
TASK_FINAL_STATES = TASK_SUCCESS_STATES | TASK_FAILURE_STATES
FIRST_POLL_DELAY = 0.1  # seconds after the write's answer
POLL_BACKOFF = 1.25  # each wait this many times the one before, up to polling_interval


@dataclass(frozen=True)
class WriteOutcome:
    """What a write ended with: the final task when the appliance answered with one, else the
    answer body (a 200/201 carrying the resource, or None for 204)."""

    status: int
    task: dict[str, Any] | None = None
    body: dict[str, Any] | None = None

    @property
    def resource_uri(self) -> str | None:
        if self.task is not None:
            return (self.task.get("associatedResource") or {}).get("resourceUri")
        if self.body is not None:
            return self.body.get("uri")
        return None


class Tasks:
    """Waits for the tasks of one client's writes, at most max_concurrent_tasks at once."""

    def __init__(self, settings: ClientSettings, session: Session, forks: ForkGuard) -> None:
        self._settings = settings
        self._session = session
        self._forks = forks
        self._slots = threading.BoundedSemaphore(settings.max_concurrent_tasks)
        forks.on_fork(self._new_slots)

    def _new_slots(self) -> None:
        # Slots taken by the parent's threads would never be given back here.
        self._slots = threading.BoundedSemaphore(self._settings.max_concurrent_tasks)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of max_concurrent_tasks slots from sending a write until its task is final.

        A process with many worker threads (one per server profile, per uplink set) would
        otherwise start as many tasks on the appliance as it has threads; the bound keeps this
        process's share of the appliance's task load fixed whatever the thread count.  Held
        across the write's retries and its polling, never across plain reads.  Never nested: a
        write never waits for another, so a bound of 1 cannot deadlock.
        """
        self._forks.check()  # a child gets its own slots before it takes one
        slots = self._slots
        if not slots.acquire(blocking=False):
            LOG.debug(
                "All %d OneView task slots are busy; waiting for one",
                self._settings.max_concurrent_tasks,
            )
            slots.acquire()
        try:
            yield
        finally:
            slots.release()

    def outcome(self, answer: Answer) -> WriteOutcome:
        """The write's result: its final task when it answered with one, else its body."""
        body = answer.body if isinstance(answer.body, dict) else None
        task: dict[str, Any] | None = None
        if _is_task(body):
            task = checked_task(Reader(answer.method, answer.path), body, "the write's task")
        else:
            location = answer.headers.get("Location") or ""
            if f"{paths.TASKS}/" in location:
                # Only the task's URI: a state-less task, so the first poll waits like any other.
                task = {"uri": path_of(location)}
        if task is None:
            return WriteOutcome(answer.status, body=body)
        return WriteOutcome(answer.status, task=self.wait(task))

    def wait(self, task_or_uri: Mapping[str, Any] | str) -> dict[str, Any]:
        """Poll a task until it is final; return it, or raise OneViewTaskError/-Timeout.

        Given the task a write answered with, its own state is looked at first (no request);
        given a URI, the first poll is at once.  See ``OneViewClient.wait_for_task``.
        """
        if isinstance(task_or_uri, str):
            uri, known = path_of(task_or_uri), None
        else:
            uri, known = path_of(task_or_uri["uri"]), dict(task_or_uri)
        pending = [known] if known is not None else []

        reader = Reader("GET", uri)

        def poll() -> dict[str, Any]:
            return pending.pop() if pending else checked_task(reader, self._session.get(uri))

        task = self.poller()(poll)
        if task.get("taskState") in TASK_FAILURE_STATES:
            raise OneViewTaskError(task)
        if task.get("taskState") == "Warning":
            LOG.warning(
                "OneView task %r (%s) completed with a warning: %s",
                task.get("name"),
                uri,
                task.get("taskStatus"),
            )
        return task

    def poller(self) -> Retrying:
        """Poll until the task is final, on an exponential schedule, within the deadline.

        tenacity because it already is our retry machinery and fits exactly:
        ``wait_exponential`` gives 0.1 x 1.25^n seconds capped at polling_interval,
        ``retry_if_result`` polls again while the task is not final (errors of a poll are not
        retried here: ``get`` has its own bounded retries), and ``stop_after_delay`` is the
        deadline.  Each wait is clamped to the time left, so the last poll is at the deadline,
        as before.
        """
        settings = self._settings
        budget = settings.max_polling_attempts * settings.polling_interval
        backoff = wait_exponential(
            multiplier=FIRST_POLL_DELAY, exp_base=POLL_BACKOFF, max=settings.polling_interval
        )

        def clamped_wait(state: RetryCallState) -> float:
            remaining = budget - (state.seconds_since_start or 0.0)
            return max(0.0, min(backoff(state), remaining))

        return Retrying(
            retry=retry_if_result(_not_final),
            wait=clamped_wait,
            stop=stop_after_delay(budget),
            retry_error_callback=_task_timed_out,
        )


def checked_task(reader: Reader, task: Any, what: str = "the task") -> dict[str, Any]:
    """``task`` when it is a task document with the fields waiting for it reads.

    A ``taskState`` that is not a string would never look final: without this check the
    client would poll it until the deadline and report a timeout instead of the real fault.
    """
    document = reader.object(task, what)
    reader.field(document, "uri", str, what=what)
    reader.field(document, "taskState", str, what=what)
    reader.field(document, "taskErrors", list, required=False, what=what)
    resource = reader.field(document, "associatedResource", dict, required=False, what=what)
    if resource is not None:
        reader.field(resource, "resourceUri", str, required=False, what=f"{what}'s resource")
    return dict(document)


def _is_task(body: Mapping[str, Any] | None) -> bool:
    if not body:
        return False
    return body.get("category") == "tasks" or str(body.get("type", "")).startswith("TaskResource")


def _not_final(task: Mapping[str, Any]) -> bool:
    return task.get("taskState") not in TASK_FINAL_STATES


def _task_timed_out(state: RetryCallState) -> Any:
    """The deadline passed with the task still running: say how long we waited."""
    task = state.outcome.result() if state.outcome else {}
    raise OneViewTaskTimeout(task, state.seconds_since_start or 0.0)
