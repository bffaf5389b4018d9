"""The fault schedule as data, and the player that applies it at its times.

Two sources of faults, both real: the simulator's fault API (5xx answers, connection resets,
failing and slow tasks, a full outage, session revocation) and the hosts' processes (SIGKILL of
an API or a periodic-workers process, restarted after a pause; a Galera node stopped for a while).
The schedule is a list of ``Action``s made from the seed; ``Player`` runs it on a thread and logs
every action with its time, so the report can say what was injected and when.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

REVOKE_EVERY = 30.0  # seconds between two session revocations
RESTART_ATTEMPTS = 3


@dataclass(frozen=True)
class Action:
    """``kind`` at ``at`` seconds after the start; ``target`` is a host or Galera node index."""

    at: float
    kind: str  # fault-plan | revoke-sessions | outage | kill-api | kill-periodic | stop-galera
    target: int | None = None
    seconds: float = 0.0  # how long it lasts (outage, pause before restart, node stopped)


def fault_plan(seed: int) -> dict[str, Any]:
    """10% 5xx, 3% connection resets, 5% failing tasks, every task slow (1 to 2 s)."""
    return {
        "seed": seed,
        "task_failure_rate": 0.05,
        "task_duration": 1.0,
        "rules": [
            {"path": "/rest/*", "error_rate": 0.10, "error_status": 503},
            {"path": "/rest/*", "method": "PUT", "error_rate": 0.02, "error_status": 500},
            {"path": "/rest/*", "reset_rate": 0.03},
            {"path": "/rest/server-profiles/*", "method": "PUT", "task_duration": 2.0},
        ],
    }


def schedule(seed: int, duration: float, outage: float = 60.0) -> list[Action]:
    """Every fault kind within ``duration`` seconds, times jittered by the seed.

    Two API kills and two periodic-workers kills on different hosts, one Galera node stopped
    for a while, the outage in the second half, session revocation every 30 s.
    """
    rng = random.Random(seed)

    def at(fraction: float) -> float:
        return round(duration * fraction + rng.uniform(0, duration * 0.03), 1)

    hosts = rng.sample(range(3), 3)
    actions = [Action(0.0, "fault-plan")]
    actions += [Action(t, "revoke-sessions") for t in _every(REVOKE_EVERY, duration)]
    actions += [
        Action(at(0.05), "kill-periodic", hosts[0], seconds=8.0),
        Action(at(0.12), "kill-api", hosts[1], seconds=6.0),
        Action(at(0.22), "stop-galera", hosts[2], seconds=max(20.0, duration * 0.2)),
        Action(at(0.30), "kill-periodic", hosts[1], seconds=8.0),
        Action(at(0.38), "kill-api", hosts[0], seconds=6.0),
        Action(max(at(0.45), duration - outage - 5), "outage", seconds=outage),
    ]
    return sorted(actions, key=lambda a: a.at)


def _every(period: float, duration: float) -> list[float]:
    return [period * n for n in range(1, int(duration // period) + 1)]


@dataclass
class Player:
    """Applies a schedule to a simulator (its admin API) and a ``ThreeControllers`` cloud."""

    sim_url: str
    ca_file: str
    cloud: Any
    seed: int
    log: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    _restarts: list[threading.Thread] = field(default_factory=list)

    def play(self, actions: list[Action], stop: threading.Event) -> None:
        start = time.monotonic()
        for action in actions:
            if stop.wait(max(0.0, start + action.at - time.monotonic())):
                break
            self._apply(action, time.monotonic() - start)
        for thread in self._restarts:
            thread.join()

    def end(self) -> None:
        """The faults stop: no fault plan, no outage (the restarts finish in ``play``)."""
        self.admin("DELETE", "/faults")

    # -- one action ----------------------------------------------------------------------------
    def _apply(self, action: Action, elapsed: float) -> None:
        kind = action.kind
        if kind == "fault-plan":
            self.admin("PUT", "/faults", fault_plan(self.seed))
        elif kind == "revoke-sessions":
            self.admin("POST", "/sessions/revoke")
        elif kind == "outage":
            self.admin("POST", "/outage", {"seconds": action.seconds})
        elif kind in ("kill-api", "kill-periodic"):
            self._kill_and_restart(action)
        elif kind == "stop-galera":
            self._later(action, self.cloud.galera.stop_node, self.cloud.galera.start_node)
        self.counts[kind] += 1
        self.log.append({"t": round(elapsed, 1), "kind": kind, "target": action.target})

    def _kill_and_restart(self, action: Action) -> None:
        host = self.cloud.hosts[action.target]
        if action.kind == "kill-api":
            self._later(action, lambda _: host.kill("api"), lambda _: host.start_api())
        else:
            self._later(
                action,
                lambda _: host.kill("periodic-workers"),
                lambda _: host.start_periodic_workers(),
            )

    def _later(self, action: Action, now: Any, then: Any) -> None:
        """``now(target)`` at once, ``then(target)`` ``action.seconds`` later on a thread."""
        now(action.target)

        def restore() -> None:
            time.sleep(action.seconds)
            self._restore(action, then)

        thread = threading.Thread(target=restore, name=f"chaos-restore-{action.kind}")
        thread.start()
        self._restarts.append(thread)

    def _restore(self, action: Action, then: Any) -> None:
        """Start again what ``action`` stopped.  A process that starts but is slow to report
        ready (its first full sync against a faulty OneView) is running: that is enough.  One
        that died is started again, a bounded number of times."""
        outcome, attempts = "could not restart", 0
        while attempts < RESTART_ATTEMPTS:
            attempts += 1
            try:
                then(action.target)
            except Exception as error:
                if self._running(action):
                    outcome = f"slow start ({type(error).__name__}), running"
                    break
                time.sleep(2)
                continue
            outcome = "restarted"
            break
        entry = {"kind": f"{action.kind} restore", "target": action.target, "outcome": outcome}
        self.log.append({**entry, "attempts": attempts})

    def _running(self, action: Action) -> bool:
        if action.kind == "stop-galera":
            return False
        host = self.cloud.hosts[action.target]
        name = "api" if action.kind == "kill-api" else "periodic-workers"
        return name in host.pids

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = requests.request(
            method, f"{self.sim_url}/_sim{path}", json=body, verify=self.ca_file, timeout=10
        )
        answer.raise_for_status()
        return answer.json() if answer.content else None
