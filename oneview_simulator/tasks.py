"""Asynchronous tasks: writes answer 202 with a task that runs its change after a delay."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from oneview_simulator.errors import ApplianceError
from oneview_simulator.store import ResourceStore, now_iso

LOG = logging.getLogger(__name__)
TASKS = "/rest/tasks"
FINAL_STATES = ("Completed", "Warning", "Error", "Killed", "Terminated", "Interrupted")

# What a task does when it runs: change the store and return the URI of the affected resource.
Action = Callable[[], str | None]


class TaskEngine:
    """Creates task documents and runs their actions, now or on a timer thread."""

    def __init__(self, store: ResourceStore) -> None:
        self.store = store
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}

    def submit(
        self,
        name: str,
        resource: dict[str, Any] | None,
        action: Action,
        *,
        duration: float = 0.0,
        fail_with: ApplianceError | None = None,
    ) -> dict[str, Any]:
        """Create a task; run ``action`` after ``duration`` seconds (at once when 0)."""
        task_id = str(uuid.uuid4())
        uri = f"{TASKS}/{task_id}"
        doc = {
            "type": "TaskResourceV2",
            "category": "tasks",
            "uri": uri,
            "name": name,
            "owner": "Administrator",
            "taskState": "Running" if duration > 0 else "New",
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
        self.store.insert(TASKS, doc, task_id)
        self._started[uri] = time.monotonic()
        if duration > 0:
            timer = threading.Timer(duration, self._run, (uri, action, fail_with))
            timer.daemon = True
            with self._lock:
                self._timers.append(timer)
            timer.start()
        else:
            self._run(uri, action, fail_with)
        return self.store.get(uri)

    def _run(self, uri: str, action: Action, fail_with: ApplianceError | None) -> None:
        with self.store.lock:
            try:
                task = self.store.get(uri)
            except ApplianceError:
                return  # the appliance was reset while the task was pending
            try:
                if fail_with is not None:
                    raise fail_with
                resource_uri = action()
            except ApplianceError as error:
                task.update(
                    taskState="Error",
                    taskStatus=error.message,
                    taskErrors=[error.task_error()],
                )
            except Exception as error:  # a simulator bug: fail the task, never leave it running
                LOG.exception("task %s failed unexpectedly", uri)
                failure = ApplianceError(500, "INTERNAL_ERROR", f"{type(error).__name__}: {error}")
                task.update(
                    taskState="Error",
                    taskStatus=failure.message,
                    taskErrors=[failure.task_error()],
                )
            else:
                task.update(taskState="Completed", taskStatus=f"{task['name']} completed.")
                if resource_uri is not None:
                    task["associatedResource"]["resourceUri"] = resource_uri
            task.update(percentComplete=100, stateChangeTime=now_iso())
            self.store.replace(uri, task)

    def progress(self, task: dict[str, Any], duration_hint: float = 0.0) -> dict[str, Any]:
        """Report a plausible percentComplete for a task still running."""
        if task["taskState"] in FINAL_STATES:
            return task
        elapsed = time.monotonic() - self._started.get(task["uri"], time.monotonic())
        task["percentComplete"] = min(95, int(elapsed * 10))
        return task

    def cancel_all(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
