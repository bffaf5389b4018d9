"""The short seeded chaos run of CI: every fault kind, then Neutron and OneView must agree.

About 6 minutes: 55 s to start three controllers on Galera, 190 s of workload under faults
(including the full 60 s OneView outage), convergence, the checks.  The report is written as JSON
next to the run's logs and summed up in one line; ``tools/chaos.py`` runs a long one.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest

from tests.chaos.run import Settings, chaos_run
from tests.galera import binaries_or_skip

pytestmark = pytest.mark.chaos

SEED = int(os.environ.get("CHAOS_SEED", "20261122"))
DURATION = 190.0
FAULT_KINDS = (
    "fault-plan",
    "revoke-sessions",
    "outage",
    "kill-api",
    "kill-periodic",
    "stop-galera",
    "http-5xx",
    "reset",
    "task-failed",
    "task-slow",
)


@pytest.mark.timeout(600)
def test_chaos_short(tmp_path: Path) -> None:
    binaries_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = chaos_run(Settings(seed=SEED, duration=DURATION, workdir=tmp_path / "run"))
    (tmp_path / "chaos-report.json").write_text(json.dumps(report.as_dict(), indent=2))
    print(f"\n{report.summary()}\nreport: {tmp_path / 'chaos-report.json'}")
    assert report.violations == [], "\n".join(report.violations)
    assert report.faults["kill-api"] == 2 and report.faults["kill-periodic"] == 2, report.faults
    missing = [kind for kind in FAULT_KINDS if not report.faults.get(kind)]
    assert not missing, f"fault kinds never injected: {missing} ({report.faults})"
    ok = sum(kinds.get("ok", 0) + kinds.get("retried", 0) for kinds in report.operations.values())
    assert ok > 50, report.operations
    for kind in ("network-create", "port-create", "port-bind", "port-unbind", "port-flip"):
        assert report.operations.get(kind, {}).get("ok"), f"no {kind} succeeded"
    assert report.converge_seconds is not None
