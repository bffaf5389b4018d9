"""A process of this host that died (SIGKILL, OOM) gives up its leases at once, not after
LEASE_SECONDS: the chaos run found a killed periodic worker holding the LIG and the full sync
for three minutes.  Only a holder of this host and PID namespace whose PID is gone counts as
dead: containers on one host share its name, not their PIDs."""

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


def holder_like(own: str, pid: object, host: str | None = None, namespace: str | None = None):
    """Another holder shaped like ``own`` (host:pid:NAMESPACE.nonce), with some parts changed."""
    own_host = own.rpartition(":")[0].rpartition(":")[0]
    own_namespace = own.rpartition(":")[2].partition(".")[0]
    return f"{host or own_host}:{pid}:{namespace or own_namespace}.abcd1234"


def test_a_gone_process_of_this_host_and_pid_namespace_is_dead():
    own = worker.default_holder()
    assert worker.dead_holder(holder_like(own, gone_pid()), own)


def test_a_running_process_another_host_or_ourselves_is_not_dead():
    own = worker.default_holder()
    assert not worker.dead_holder(holder_like(own, os.getppid()), own)  # runs
    assert not worker.dead_holder(holder_like(own, gone_pid(), host="other-host"), own)
    assert not worker.dead_holder(own, own)
    assert not worker.dead_holder("garbage", own)
    assert not worker.dead_holder(holder_like(own, "notapid"), own)


def test_a_gone_pid_of_another_pid_namespace_on_this_host_is_not_dead():
    """A container next to ours: same [DEFAULT] host, its own PIDs, which we cannot see."""
    own = worker.default_holder()
    assert not worker.dead_holder(holder_like(own, gone_pid(), namespace="ffffffff"), own)


def test_a_holder_of_the_older_format_is_never_declared_dead():
    own = worker.default_holder()
    host = own.rpartition(":")[0].rpartition(":")[0]
    assert not worker.dead_holder(f"{host}:{gone_pid()}:abcd1234", own)


def test_the_leases_of_a_dead_holder_are_released(context):
    own = worker.default_holder()
    dead = holder_like(own, gone_pid())
    work_db.record_work(context, "lig", "lig-1")
    work_db.record_work(context, "server", "s-1")
    assert work_db.claim_work(context, dead, 180.0, 10)
    assert work_db.claim_work(context, own, 180.0, 10) == []  # held: nobody else may apply it
    assert work_db.lease_holders(context) == {dead}

    worker.WorkRunner(registry=None, holder=own)._release_dead_holders(context)  # type: ignore[arg-type]

    assert work_db.lease_holders(context) == set()
    assert {w.object_id for w in work_db.claim_work(context, own, 180.0, 10)} == {"lig-1", "s-1"}
