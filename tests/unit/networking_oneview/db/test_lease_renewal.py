"""A long job keeps its objects: the worker's LeaseKeeper renews leases while it runs."""

from __future__ import annotations

import time

from networking_oneview.db import work as work_db
from networking_oneview.worker import LeaseKeeper
from tests.unit.networking_oneview.db.conftest import admin_context


def test_leases_are_renewed_while_the_job_runs_so_no_one_else_claims_it(context, other_context):
    work_db.record_work(context, "port", "p1")
    [work] = work_db.claim_work(context, "holder-a", 0.3, 10)
    with LeaseKeeper([work], "holder-a", every=0.05, context_factory=admin_context):
        time.sleep(0.6)  # twice the original lease
        assert work_db.claim_work(other_context, "holder-b", 60, 10) == []
    assert work_db.complete_work(context, work, "holder-a") == 1


def test_without_renewal_an_expired_lease_is_taken_over(context, other_context):
    work_db.record_work(context, "port", "p1")
    work_db.claim_work(context, "holder-a", 0.2, 10)
    time.sleep(1.2)  # MariaDB/SQLite DATETIME keep whole seconds
    assert [w.object_id for w in work_db.claim_work(other_context, "holder-b", 60, 10)] == ["p1"]
