"""Fault injection: latency, 5xx answers, connection resets, failing or slow tasks, outages, and
servers that are slow to shut down or ignore their power button.

Faults are rules matched against each request (method and an fnmatch path pattern).  A rule can
be limited to its first ``times`` matches, which makes tests deterministic; rates in [0, 1] make
soak runs and benchmarks realistic.  Admin requests (``/_sim``) are never faulted.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FaultRule:
    path: str = "*"
    method: str = "*"
    latency: float = 0.0  # seconds added before answering
    error_rate: float = 0.0  # probability of answering error_status
    error_status: int = 503
    reset_rate: float = 0.0  # probability of resetting the TCP connection instead of answering
    task_duration: float | None = None  # seconds the task a matching request starts runs
    times: int | None = None  # apply to this many matching requests, then retire

    def __post_init__(self) -> None:
        if self.task_duration is not None and self.task_duration < 0:
            raise ValueError(f"task_duration must not be negative, got {self.task_duration}")

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method.upper())) and fnmatch.fnmatchcase(path, self.path)


@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)
    task_failure_rate: float = 0.0  # probability that a task ends in Error without applying
    task_duration: float = 0.0  # seconds a task stays Running before it completes
    outage_until: float = 0.0  # time.monotonic() before which every request gets 503
    connect_latency: float = 0.0  # seconds added to every new TCP+TLS connection (network RTTs)
    graceful_shutdown_seconds: float = 0.0  # a MomentaryPress power-off takes this long
    ignore_momentary_press: list[str] = field(default_factory=list)  # hardware names or URIs
    seed: int | None = None


@dataclass(frozen=True)
class Decision:
    latency: float = 0.0
    error_status: int | None = None
    reset: bool = False
    outage: bool = False
    task_duration: float | None = None  # None: the plan's task_duration


_RULE_FIELDS = set(FaultRule.__dataclass_fields__)


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.plan = FaultPlan()
        self._random = random.Random()

    def configure(self, spec: dict[str, Any]) -> None:
        """Replace the plan from its JSON form (see docs/simulator.md)."""
        rules = []
        for raw in spec.get("rules", []):
            unknown = set(raw) - _RULE_FIELDS
            if unknown:
                raise ValueError(f"unknown fault rule field(s): {sorted(unknown)}")
            rules.append(FaultRule(**raw))
        plan = FaultPlan(
            rules=rules,
            task_failure_rate=float(spec.get("task_failure_rate", 0.0)),
            task_duration=float(spec.get("task_duration", 0.0)),
            connect_latency=float(spec.get("connect_latency", 0.0)),
            graceful_shutdown_seconds=_non_negative(spec, "graceful_shutdown_seconds"),
            ignore_momentary_press=_names(spec, "ignore_momentary_press"),
            seed=spec.get("seed"),
        )
        if spec.get("outage_seconds"):
            plan.outage_until = time.monotonic() + float(spec["outage_seconds"])
        with self._lock:
            self.plan = plan
            self._random = random.Random(plan.seed)

    def start_outage(self, seconds: float) -> None:
        with self._lock:
            self.plan.outage_until = time.monotonic() + seconds

    def clear(self) -> None:
        self.configure({})

    def describe(self) -> dict[str, Any]:
        with self._lock:
            data = asdict(self.plan)
            remaining = self.plan.outage_until - time.monotonic()
            data.pop("outage_until")
            data["outage_remaining"] = max(0.0, round(remaining, 3))
            return data

    def decide(self, method: str, path: str) -> Decision:
        with self._lock:
            if time.monotonic() < self.plan.outage_until:
                return Decision(outage=True)
            latency, status, reset, duration = 0.0, None, False, None
            for rule in list(self.plan.rules):
                if not rule.matches(method, path):
                    continue
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self.plan.rules.remove(rule)
                latency += rule.latency
                if not reset and rule.reset_rate and self._random.random() < rule.reset_rate:
                    reset = True
                if status is None and rule.error_rate and self._random.random() < rule.error_rate:
                    status = rule.error_status
                if duration is None:
                    duration = rule.task_duration
            return Decision(
                latency=latency, error_status=status, reset=reset, task_duration=duration
            )

    def task_fails(self) -> bool:
        with self._lock:
            rate = self.plan.task_failure_rate
            return bool(rate) and self._random.random() < rate

    def connect_latency(self) -> float:
        with self._lock:
            return self.plan.connect_latency

    def task_duration(self, decision: Decision | None = None) -> float:
        """How long a task runs: its request's rule says, else the plan's ``task_duration``."""
        if decision is not None and decision.task_duration is not None:
            return decision.task_duration
        with self._lock:
            return self.plan.task_duration

    def graceful_shutdown_seconds(self) -> float:
        with self._lock:
            return self.plan.graceful_shutdown_seconds

    def ignores_momentary_press(self, hardware: dict[str, Any]) -> bool:
        """Whether the operating system of ``hardware`` ignores a momentary power-button press."""
        with self._lock:
            wanted = set(self.plan.ignore_momentary_press)
        return bool(wanted & {hardware.get("name"), hardware.get("uri")})


def _non_negative(spec: dict[str, Any], key: str) -> float:
    value = float(spec.get(key, 0.0))
    if value < 0:
        raise ValueError(f"{key} must not be negative, got {value}")
    return value


def _names(spec: dict[str, Any], key: str) -> list[str]:
    value = spec.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of server hardware names or URIs, got {value!r}")
    return list(value)
