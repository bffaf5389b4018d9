"""The simulated appliance's state: resources, sessions, tasks, faults, the virtual MAC pool, the
request log and the task history."""

from __future__ import annotations

import copy
import json
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from importlib import resources as package_files
from pathlib import Path
from typing import Any

from oneview_simulator.errors import ApplianceError
from oneview_simulator.faults import Decision, FaultInjector
from oneview_simulator.mac_pool import MacPool
from oneview_simulator.sessions import SessionRegistry
from oneview_simulator.store import ResourceStore
from oneview_simulator.synthetic import SiteSize
from oneview_simulator.synthetic import build as build_site
from oneview_simulator.tasks import Action, Hook, Later, Origin, ResourceTasks, TaskEngine
from oneview_simulator.versions import CURRENT_VERSION, MINIMUM_VERSION

DEFAULT_USERNAME = "Administrator"
DEFAULT_PASSWORD = "simulator"  # a rehearsal appliance on loopback; documented in the README
REQUEST_LOG_LIMIT = 10000


def default_fixture() -> dict[str, Any]:
    text = package_files.files("oneview_simulator").joinpath("fixtures/default.json").read_text()
    return json.loads(text)


def read_fixture(source: str | Path | dict[str, Any] | SiteSize | None) -> dict[str, Any]:
    """The fixture to load: the default one, a file, a dict, or a synthetic site of a size."""
    if source is None:
        return default_fixture()
    if isinstance(source, SiteSize):
        return build_site(source)
    if isinstance(source, dict):
        return copy.deepcopy(source)
    return json.loads(Path(source).read_text())


@dataclass
class ApplianceSettings:
    minimum_version: int = MINIMUM_VERSION
    current_version: int = CURRENT_VERSION
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    session_idle_timeout: float = 86400.0

    def __repr__(self) -> str:
        return (
            f"ApplianceSettings(versions={self.minimum_version}..{self.current_version}, "
            f"username={self.username!r})"
        )


class Appliance:
    """Everything a OneView appliance remembers, behind one lock (``store.lock``)."""

    def __init__(self, settings: ApplianceSettings | None = None, fixture: Any = None) -> None:
        self.settings = settings or ApplianceSettings()
        self.store = ResourceStore()
        self.sessions = SessionRegistry(
            self.settings.username, self.settings.password, self.settings.session_idle_timeout
        )
        self.tasks = TaskEngine(self.store)
        self.busy = ResourceTasks()  # the tasks running on each resource (profile progress)
        self.mac_pool = MacPool()
        self.faults = FaultInjector()
        self._log_lock = threading.Lock()
        self.request_log: list[dict[str, Any]] = []
        self.request_counts: Counter[str] = Counter()
        self._fixture_source = fixture
        # Set by the HTTP app so task actions, which run on timer threads, see the app context.
        self.task_context: Callable[[], AbstractContextManager[Any]] = nullcontext
        # Set by the HTTP app: the request being served, recorded with every task it starts.
        self.request_origin: Callable[[], Origin] = Origin
        # Set by the HTTP app: the fault decision for the request being served (task_duration).
        self.request_faults: Callable[[], Decision | None] = lambda: None
        self.load(read_fixture(fixture))

    # -- state -------------------------------------------------------------------------------
    def load(self, fixture: dict[str, Any]) -> None:
        """Replace all resources with a fixture: {collection path: [documents]}."""
        with self.store.lock:
            self.tasks.cancel_all()
            self.busy.clear()
            self.store.clear()
            for collection, documents in fixture.get("resources", {}).items():
                for document in documents:
                    self.store.insert(collection, document)
            self.mac_pool.restart(self._connection_macs())

    def _connection_macs(self) -> list[str]:
        return [
            connection.get("mac") or ""
            for profile in self.store.members("/rest/server-profiles")
            for connection in (profile.get("connectionSettings") or {}).get("connections", [])
        ]

    def reset(self, fixture: Any = None) -> None:
        """Back to a fresh appliance: fixture reloaded, faults, sessions and logs cleared."""
        self.faults.clear()
        self.sessions.revoke_all()
        self.clear_request_log()
        self.load(read_fixture(fixture if fixture is not None else self._fixture_source))

    def dump(self) -> dict[str, Any]:
        return {
            "versions": {
                "minimumVersion": self.settings.minimum_version,
                "currentVersion": self.settings.current_version,
            },
            "sessions": self.sessions.count(),
            "faults": self.faults.describe(),
            "resources": self.store.dump(),
        }

    # -- writes --------------------------------------------------------------------------------
    def run_task(
        self,
        name: str,
        resource: dict[str, Any] | None,
        action: Action,
        *,
        on_start: Hook | None = None,
        on_end: Hook | None = None,
    ) -> dict:
        """Start a task for a validated write, subject to the task fault knobs."""
        fail_with = None
        if self.faults.task_fails():
            fail_with = ApplianceError(
                500,
                "SIMULATED_TASK_FAILURE",
                f"The task {name!r} failed (injected by the simulator).",
                recommended_actions=["Retry the operation."],
            )
        context = self.task_context

        def in_context(step: Action) -> Action:
            def run():
                with context():
                    result = step()
                if isinstance(result, Later):  # its next step runs in the app context too
                    return Later(result.seconds, in_context(result.then), result.status)
                return result

            return run

        return self.tasks.submit(
            name,
            resource,
            in_context(action),
            duration=self.faults.task_duration(self.request_faults()),
            fail_with=fail_with,
            origin=self.request_origin(),
            on_start=on_start,
            on_end=on_end,
        )

    @property
    def task_history(self) -> list[dict[str, Any]]:
        """Every task since the last reset or request-log clear, oldest first: id, uri, name,
        resourceUri, method and path of the request that created it, started and ended
        (time.monotonic(); ended None while running) and state (its final taskState)."""
        return self.tasks.history()

    # -- request log -----------------------------------------------------------------------
    def record(
        self, method: str, path: str, query: str, status: int, seconds: float, agent: str = ""
    ) -> None:
        """Log one request; ``agent`` (its User-Agent) tells which client process sent it."""
        with self._log_lock:
            self.request_counts[f"{method} {path}"] += 1
            self.request_log.append(
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "status": status,
                    "seconds": round(seconds, 6),
                    "agent": agent,
                }
            )
            if len(self.request_log) > REQUEST_LOG_LIMIT:
                del self.request_log[: len(self.request_log) - REQUEST_LOG_LIMIT]

    def clear_request_log(self) -> None:
        """Forget the request log, the counters and the task history."""
        with self._log_lock:
            self.request_log.clear()
            self.request_counts.clear()
        self.tasks.clear_history()

    def requests_to(self, method: str, path: str) -> int:
        with self._log_lock:
            return self.request_counts[f"{method} {path}"]
