"""Asynchronous tasks: writes answer 202 with a task that runs its change after a delay.

An action returns the URI of the resource it changed, or ``Later(seconds, then)`` to keep the
task Running and continue with ``then`` after that many seconds (a graceful shutdown waits for
the operating system this way).  ``on_start`` runs when the task is created and ``on_end`` when
it reaches a final state, whatever that state is; both get the task URI and run under the store
lock.  Every task is also recorded in the task history (``TaskEngine.history``).
"""

from __future__ import annotations

import copy
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oneview_simulator.errors import ApplianceError
from oneview_simulator.store import ResourceStore, now_iso

LOG = logging.getLogger(__name__)
TASKS = "/rest/tasks"
FINAL_STATES = ("Completed", "Warning", "Error", "Killed", "Terminated", "Interrupted")
HISTORY_LIMIT = 10000


@dataclass(frozen=True)
class Later:
    """Keep the task Running; run ``then`` after ``seconds`` (reported as ``status``)."""

    seconds: float
    then: Action
    status: str = ""


# What a task does when it runs: change the store and return the URI of the affected resource.
Action = Callable[[], str | Later | None]
Hook = Callable[[str], None]


@dataclass(frozen=True)
class Origin:
    """The request that created a task."""

    method: str | None = None
    path: str | None = None


class TaskEngine:
    """Creates task documents, runs their actions (now or on timer threads), keeps a history."""

    def __init__(self, store: ResourceStore) -> None:
        self.store = store
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()
        self._history: dict[str, dict[str, Any]] = {}

    def submit(
        self,
        name: str,
        resource: dict[str, Any] | None,
        action: Action,
        *,
        duration: float = 0.0,
        fail_with: ApplianceError | None = None,
        origin: Origin | None = None,
        on_start: Hook | None = None,
        on_end: Hook | None = None,
    ) -> dict[str, Any]:
        """Create a task; run ``action`` after ``duration`` seconds (at once when 0, never when
        infinite)."""
        task_id = str(uuid.uuid4())
        uri = f"{TASKS}/{task_id}"
        doc = _task_document(uri, name, resource, running=duration > 0)
        with self.store.lock:
            self.store.insert(TASKS, doc, task_id)
            self._remember(task_id, uri, name, resource, origin or Origin())
            if on_start is not None:
                on_start(uri)
        self._after(duration, uri, action, fail_with, on_end)
        return self.store.get(uri)

    def _after(
        self,
        seconds: float,
        uri: str,
        action: Action,
        fail_with: ApplianceError | None,
        on_end: Hook | None,
    ) -> None:
        if seconds <= 0:
            self._run(uri, action, fail_with, on_end)
            return
        if math.isinf(seconds):
            return  # an endless task (fault injection): Running until the appliance is reset
        timer = threading.Timer(seconds, self._run, (uri, action, fail_with, on_end))
        timer.daemon = True
        with self._lock:
            self._timers = [t for t in self._timers if t.is_alive()]
            self._timers.append(timer)
        timer.start()

    def _run(
        self, uri: str, action: Action, fail_with: ApplianceError | None, on_end: Hook | None
    ) -> None:
        with self.store.lock:
            task = self.store.find(uri)
            if task is None:
                return  # the appliance was reset while the task was pending
            outcome = _outcome(uri, action, fail_with)
            if isinstance(outcome, Later):
                task.update(taskState="Running", taskStatus=outcome.status or task["taskStatus"])
                self.store.replace(uri, task)
                self._after(outcome.seconds, uri, outcome.then, None, on_end)
                return
            if isinstance(outcome, ApplianceError):
                task.update(
                    taskState="Error",
                    taskStatus=outcome.message,
                    taskErrors=[outcome.task_error()],
                )
            else:
                task.update(taskState="Completed", taskStatus=f"{task['name']} completed.")
                if outcome is not None:
                    task["associatedResource"]["resourceUri"] = outcome
            task.update(percentComplete=100, stateChangeTime=now_iso())
            self.store.replace(uri, task)
            if on_end is not None:
                try:
                    on_end(uri)
                except Exception:  # a simulator bug must not leave the task unrecorded
                    LOG.exception("end hook of task %s failed", uri)
            self._finish(uri, task)

    # -- history ---------------------------------------------------------------------------
    def _remember(
        self,
        task_id: str,
        uri: str,
        name: str,
        resource: dict[str, Any] | None,
        origin: Origin,
    ) -> None:
        with self._lock:
            self._history[uri] = {
                "id": task_id,
                "uri": uri,
                "name": name,
                "resourceUri": (resource or {}).get("uri"),
                "method": origin.method,
                "path": origin.path,
                "started": time.monotonic(),
                "ended": None,
                "state": "Running",
            }
            while len(self._history) > HISTORY_LIMIT:
                del self._history[next(iter(self._history))]

    def _finish(self, uri: str, task: dict[str, Any]) -> None:
        with self._lock:
            entry = self._history.get(uri)
            if entry is not None:
                entry.update(
                    ended=time.monotonic(),
                    state=task["taskState"],
                    resourceUri=task["associatedResource"]["resourceUri"],
                )

    def history(self) -> list[dict[str, Any]]:
        """Every task since the last clear, oldest first (copies)."""
        with self._lock:
            return copy.deepcopy(list(self._history.values()))

    def clear_history(self) -> None:
        with self._lock:
            self._history.clear()

    def progress(self, task: dict[str, Any], duration_hint: float = 0.0) -> dict[str, Any]:
        """Report a plausible percentComplete for a task still running."""
        if task["taskState"] in FINAL_STATES:
            return task
        with self._lock:
            entry = self._history.get(task["uri"])
            started = entry["started"] if entry else time.monotonic()
        task["percentComplete"] = min(95, int((time.monotonic() - started) * 10))
        return task

    def cancel_all(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()


def _outcome(uri: str, action: Action, fail_with: ApplianceError | None):
    """What running ``action`` gave: a resource URI, None, Later, or the ApplianceError."""
    try:
        if fail_with is not None:
            raise fail_with
        return action()
    except ApplianceError as error:
        return error
    except Exception as error:  # a simulator bug: fail the task, never leave it running
        LOG.exception("task %s failed unexpectedly", uri)
        return ApplianceError(500, "INTERNAL_ERROR", f"{type(error).__name__}: {error}")


def _task_document(
    uri: str, name: str, resource: dict[str, Any] | None, *, running: bool
) -> dict[str, Any]:
    return {
        "type": "TaskResourceV2",
        "category": "tasks",
        "uri": uri,
        "name": name,
        "owner": "Administrator",
        "taskState": "Running" if running else "New",
        "taskStatus": f"{name} in progress.",
        "percentComplete": 0,
        "stateChangeTime": now_iso(),
        "taskErrors": [],
        "taskOutput": [],
        "associatedResource": {
            "resourceUri": (resource or {}).get("uri"),
            "resourceName": (resource or {}).get("name"),
            "resourceCategory": (resource or {}).get("category"),
            "associationType": "MANAGED_BY",
        },
    }


class ResourceTasks:
    """Which tasks are running on which resource, in the order they were accepted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, list[str]] = {}

    def begin(self, resource_uri: str, task_uri: str) -> None:
        with self._lock:
            self._running.setdefault(resource_uri, []).append(task_uri)

    def end(self, resource_uri: str, task_uri: str) -> None:
        with self._lock:
            running = self._running.get(resource_uri, [])
            if task_uri in running:
                running.remove(task_uri)
            if not running:
                self._running.pop(resource_uri, None)

    def current(self, resource_uri: str) -> str | None:
        """The oldest task still running on the resource."""
        with self._lock:
            running = self._running.get(resource_uri)
            return running[0] if running else None

    def clear(self) -> None:
        with self._lock:
            self._running.clear()
