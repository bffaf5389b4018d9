"""Fault injection: latency, 5xx answers, connection resets, failing, slow or endless tasks,
outages, hostile answers (bodies that are not JSON, cut short, missing or mistyped fields, huge,
redirects to another host) and servers that are slow to shut down or ignore their power button.

Faults are rules matched against each request (method and an fnmatch path pattern).  A rule can
be limited to its first ``times`` matches, which makes tests deterministic; rates in [0, 1] make
soak runs and benchmarks realistic.  Admin requests (``/_sim``) are never faulted.  This module
only decides what happens to a request (``FaultInjector.decide``); the HTTP layer (``app`` and
``hostile``) applies the decision.
"""

from __future__ import annotations

import fnmatch
import math
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

# What ``body`` can make of an answer (see docs/simulator.md).
BODY_KINDS = frozenset({"malformed", "truncated", "huge"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HUGE_BODY_BYTES = 64 * 1024 * 1024  # default size of a "huge" body: past any sane client cap


@dataclass
class FaultRule:
    path: str = "*"
    method: str = "*"
    latency: float = 0.0  # seconds added before answering
    error_rate: float = 0.0  # probability of answering error_status
    error_status: int = 503
    reset_rate: float = 0.0  # probability of resetting the TCP connection instead of answering
    task_duration: float | None = None  # seconds the task a matching request starts runs
    endless_task: bool = False  # the task a matching request starts stays Running for ever
    body: str | None = None  # "malformed", "truncated" or "huge": see BODY_KINDS
    body_bytes: int = HUGE_BODY_BYTES  # how much a "huge" body streams
    drop_fields: list[str] = field(default_factory=list)  # removed from a JSON object answer
    set_fields: dict[str, Any] = field(default_factory=dict)  # replaced in a JSON object answer
    redirect_to: str | None = None  # answer redirect_status with Location: redirect_to + path
    redirect_status: int = 307
    times: int | None = None  # apply to this many matching requests, then retire

    def __post_init__(self) -> None:
        if self.task_duration is not None and self.task_duration < 0:
            raise ValueError(f"task_duration must not be negative, got {self.task_duration}")
        if self.body is not None and self.body not in BODY_KINDS:
            raise ValueError(f"body must be one of {sorted(BODY_KINDS)}, got {self.body!r}")
        if self.body_bytes < 0:
            raise ValueError(f"body_bytes must not be negative, got {self.body_bytes}")
        if not isinstance(self.drop_fields, list) or not all(
            isinstance(name, str) for name in self.drop_fields
        ):
            raise ValueError(f"drop_fields must be a list of field names, got {self.drop_fields!r}")
        if not isinstance(self.set_fields, dict):
            raise ValueError(f"set_fields must be an object, got {self.set_fields!r}")
        if self.redirect_status not in REDIRECT_STATUSES:
            raise ValueError(
                f"redirect_status must be one of {sorted(REDIRECT_STATUSES)}, "
                f"got {self.redirect_status!r}"
            )

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
class Answer:
    """What a hostile rule makes of the answer; the first matching rule that has one decides."""

    body: str | None = None
    body_bytes: int = HUGE_BODY_BYTES
    drop_fields: tuple[str, ...] = ()
    set_fields: tuple[tuple[str, Any], ...] = ()
    redirect_to: str | None = None
    redirect_status: int = 307

    @classmethod
    def of(cls, rule: FaultRule) -> Answer | None:
        if not (rule.body or rule.drop_fields or rule.set_fields or rule.redirect_to):
            return None
        return cls(
            body=rule.body,
            body_bytes=rule.body_bytes,
            drop_fields=tuple(rule.drop_fields),
            set_fields=tuple(rule.set_fields.items()),
            redirect_to=rule.redirect_to,
            redirect_status=rule.redirect_status,
        )


@dataclass(frozen=True)
class Decision:
    latency: float = 0.0
    error_status: int | None = None
    reset: bool = False
    outage: bool = False
    task_duration: float | None = None  # None: the plan's; math.inf: the task never ends
    answer: Answer | None = None  # a hostile answer instead of (or made of) the real one


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
            answer: Answer | None = None
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
                    duration = math.inf if rule.endless_task else rule.task_duration
                if answer is None:
                    answer = Answer.of(rule)
            return Decision(
                latency=latency,
                error_status=status,
                reset=reset,
                task_duration=duration,
                answer=answer,
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
