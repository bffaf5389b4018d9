"""A process of this host that died (SIGKILL, OOM) gives up its leases at once, not after
LEASE_SECONDS: the chaos run found a killed periodic worker holding the LIG and the full sync
for three minutes.  Only a holder of this host whose PID is gone counts as dead."""

from __future__ import annotations

import os
import subprocess
import sys

from networking_oneview import worker
from networking_oneview.db import work as work_db


def gone_pid() -> int:
    """The PID of a process that ran and was reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_gone_process_of_this_host_is_dead():
    own = worker.default_holder()
    host = own.rsplit(":", 2)[0]
    assert worker.dead_holder(f"{host}:{gone_pid()}:abcd1234", own)


def test_a_running_process_another_host_or_ourselves_is_not_dead():
    own = worker.default_holder()
    host = own.rsplit(":", 2)[0]
    assert not worker.dead_holder(f"{host}:{os.getppid()}:abcd1234", own)  # runs
    assert not worker.dead_holder(f"other-host:{gone_pid()}:abcd1234", own)
    assert not worker.dead_holder(own, own)
    assert not worker.dead_holder("garbage", own)
    assert not worker.dead_holder(f"{host}:notapid:abcd1234", own)


def test_the_leases_of_a_dead_holder_are_released(context):
    own = worker.default_holder()
    dead = f"{own.rsplit(':', 2)[0]}:{gone_pid()}:deadbeef"
    work_db.record_work(context, "lig", "lig-1")
    work_db.record_work(context, "server", "s-1")
    assert work_db.claim_work(context, dead, 180.0, 10)
    assert work_db.claim_work(context, own, 180.0, 10) == []  # held: nobody else may apply it
    assert work_db.lease_holders(context) == {dead}

    worker.WorkRunner(registry=None, holder=own)._release_dead_holders(context)  # type: ignore[arg-type]

    assert work_db.lease_holders(context) == set()
    assert {w.object_id for w in work_db.claim_work(context, own, 180.0, 10)} == {"lig-1", "s-1"}
