"""The scale benchmark's results and their markdown: one table per scenario, each target judged.

A run writes one labelled block into docs/performance.md between ``<!-- bench_scale:begin L -->``
and ``<!-- bench_scale:end L -->``, replacing only the block of its own label, so a "before"
baseline and later runs stay side by side and hand-written notes around them survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

HEADER = """# Performance at scale

Measured by `bench/bench_scale.py` (method, lower bounds and the reproducing command in its
docstring): a simulated OneView whose tasks take 1 s and whose requests take 20 ms each, a
synthetic site of 6 frames in 3 logical interconnects with 72 blades, a real Neutron API on
MariaDB with `neutron-periodic-workers`, and openstacksdk clients from 16 threads. Times are
wall-clock seconds on the machine named in each block; ratios to the lower bound are what
compare across machines.
"""


@dataclass
class Phase:
    """One measured batch: API calls, then waiting until OneView has converged."""

    size: int
    name: str
    api_seconds: float
    after_last_call: float | None  # None: did not converge within ``timeout``
    lower_bound: float
    requests: int
    tasks: int
    timeout: float
    target: float
    error: str = ""

    @property
    def ratio(self) -> float | None:
        if self.after_last_call is None:
            return None
        return self.after_last_call / self.lower_bound


@dataclass
class Single:
    """One change alone, end to end (from the start of its API call)."""

    change: str
    api_seconds: float
    end_to_end: float | None
    tasks: int
    task_seconds: float  # while at least one of its tasks ran
    ideal: float
    first_release: float | None
    timeout: float
    error: str = ""


@dataclass
class Latency:
    call: str
    baseline: list[float]
    oneview: list[float]


@dataclass
class Sync:
    case: str
    networks: int
    ports: int
    seconds: float | None
    requests: int
    gets: int
    writes: dict[str, int]
    tasks: int
    drifted: set[str] = field(default_factory=set)
    repaired: bool | None = None
    error: str = ""


def seconds(value: float | None, timeout: float) -> str:
    return f"did not converge in {timeout:.0f} s" if value is None else f"{value:.1f}"


def judged(ratio: float | None, target: float) -> str:
    if ratio is None:
        return "n/a (missed)"
    return f"{ratio:.2f}x ({'met' if ratio <= target else 'missed'})"


def per(total: int, count: int) -> str:
    return f"{total} ({total / count:.1f})"


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def phases_table(phases: list[Phase], unit: str) -> str:
    head = [
        unit,
        "phase",
        "API calls (s)",
        "converged after the last call (s)",
        "lower bound (s)",
        "ratio (target)",
        f"OneView requests (per {unit[:-1]})",
        f"tasks (per {unit[:-1]})",
    ]
    rows = []
    for p in phases:
        if p.error:
            rows.append([str(p.size), p.name, f"failed: {p.error}", "", "", "", "", ""])
            continue
        ratio = judged(p.ratio, p.target) if p.target else f"{p.ratio or 0:.2f}x"
        rows.append(
            [
                str(p.size),
                p.name,
                f"{p.api_seconds:.1f}",
                seconds(p.after_last_call, p.timeout),
                f"{p.lower_bound:.2f}",
                ratio if p.ratio is not None else "n/a",
                per(p.requests, p.size),
                per(p.tasks, p.size),
            ]
        )
    return table(head, rows)


def linear_note(phases: list[Phase]) -> str:
    """Requests per network of each size, for the 'linear growth' target."""
    creates = sorted(
        (p for p in phases if p.name == "create" and not p.error), key=lambda p: p.size
    )
    if len(creates) < 2:
        return "Linear growth in requests needs two sizes or more (one measured)."
    parts = ", ".join(f"{p.size}: {p.requests / p.size:.1f}" for p in creates)
    growth = (creates[-1].requests / creates[-1].size) / (creates[0].requests / creates[0].size)
    verdict = "met" if growth <= 1.1 else "missed"
    return (
        f"Requests per created network by size: {parts}; the largest size needs {growth:.2f}x "
        f"the smallest per network (linear growth: {verdict}, allowing 10%)."
    )


def singles_table(rows: list[Single]) -> str:
    head = [
        "change",
        "API call (s)",
        "OneView has it, end to end (s)",
        "its tasks",
        "task time (s)",
        "end to end / task time (target 1.2x)",
        "ideal chain (s)",
        "end to end / ideal",
        "first release (s)",
    ]
    lines = []
    for r in rows:
        if r.error:
            lines.append([r.change, f"failed: {r.error}"] + [""] * 7)
            continue
        own = r.end_to_end / r.task_seconds if r.end_to_end and r.task_seconds else None
        ideal = f"{r.end_to_end / r.ideal:.2f}x" if r.end_to_end else "n/a"
        first = "-"
        if r.first_release is not None:
            faster = r.end_to_end is not None and r.end_to_end < r.first_release
            first = f"{r.first_release:.1f} ({'faster' if faster else 'not faster'})"
        lines.append(
            [
                r.change,
                f"{r.api_seconds:.2f}",
                seconds(r.end_to_end, r.timeout),
                str(r.tasks),
                f"{r.task_seconds:.2f}",
                judged(own, 1.2),
                f"{r.ideal:.2f}",
                ideal,
                first,
            ]
        )
    return table(head, lines)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def latency_table(rows: list[Latency]) -> str:
    head = [
        "call",
        "samples",
        "logger p50 (s)",
        "logger p95 (s)",
        "oneview p50 (s)",
        "oneview p95 (s)",
        "p95 ratio (target 1.25x)",
    ]
    everything = Latency(
        "all calls",
        [v for r in rows for v in r.baseline],
        [v for r in rows for v in r.oneview],
    )
    lines = []
    for r in [*rows, everything]:
        if not r.baseline or not r.oneview:
            continue
        p95 = percentile(r.oneview, 0.95) / percentile(r.baseline, 0.95)
        lines.append(
            [
                r.call,
                str(len(r.oneview)),
                f"{percentile(r.baseline, 0.5):.3f}",
                f"{percentile(r.baseline, 0.95):.3f}",
                f"{percentile(r.oneview, 0.5):.3f}",
                f"{percentile(r.oneview, 0.95):.3f}",
                judged(p95, 1.25),
            ]
        )
    return table(head, lines)


def syncs_table(rows: list[Sync], timeout: float) -> str:
    head = [
        "case",
        "networks",
        "ports",
        "wall time (s)",
        "OneView requests",
        "GETs",
        "writes",
        "tasks",
        "drifted objects",
        "writes outside the drift",
        "repaired",
    ]
    lines = []
    for r in rows:
        if r.error:
            lines.append([r.case, str(r.networks), str(r.ports), f"failed: {r.error}"] + [""] * 7)
            continue
        outside = sorted(k for k in r.writes if not any(u in k for u in r.drifted))
        lines.append(
            [
                r.case,
                str(r.networks),
                str(r.ports),
                seconds(r.seconds, timeout),
                str(r.requests),
                str(r.gets),
                str(sum(r.writes.values())),
                str(r.tasks),
                str(len(r.drifted)),
                ", ".join(f"`{k}`" for k in outside) or "none (met)",
                {None: "-", True: "yes", False: "no"}[r.repaired],
            ]
        )
    return table(head, lines)


def write_block(path: Path, label: str, block: str) -> None:
    """Put ``block`` between this label's markers in ``path`` (created with HEADER if absent)."""
    begin, end = f"<!-- bench_scale:begin {label} -->", f"<!-- bench_scale:end {label} -->"
    wrapped = f"{begin}\n{block.strip()}\n{end}"
    text = path.read_text() if path.exists() else HEADER
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: wrapped, text)
    else:
        text = text.rstrip("\n") + "\n\n" + wrapped + "\n"
    path.write_text(text)
