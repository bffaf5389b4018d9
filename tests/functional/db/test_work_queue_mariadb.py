"""The work queue on MariaDB (the production database), through neutron-lib's engine facade:
InnoDB row locks, REPEATABLE READ snapshots, whole-second DATETIMEs and real concurrent claimers.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from neutron_lib import context as n_context
from neutron_lib import fixture as lib_fixture
from oslo_db.sqlalchemy import engines

from networking_oneview.db import models
from networking_oneview.db import work as work_db

pytestmark = pytest.mark.mariadb

T0 = datetime.datetime(2026, 5, 4, 12, 0, 0)
LEASE = 600.0


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


class MariaDBFixture(lib_fixture.SqlFixture):
    """Points neutron-lib's facade at the migrated MariaDB database; empties our tables after."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def _init_resources(self) -> None:
        self.engine = engines.create_engine(self.url, max_pool_size=10)

    def _delete_from_schema(self, engine: sa.Engine) -> None:
        with engine.begin() as conn:
            for table in models.TABLES:
                conn.execute(table.delete())
        engine.dispose()


def _context() -> n_context.Context:
    return n_context.Context(
        is_admin=True, is_service_role=True, has_global_access=True, can_set_project_id=True
    )


@pytest.fixture
def mariadb(migrated_mariadb_url: str) -> Iterator[sa.Engine]:
    fixture = MariaDBFixture(migrated_mariadb_url)
    fixture.setUp()
    try:
        yield fixture.engine
    finally:
        fixture.cleanUp()


def test_claim_fail_and_complete_round_trip(mariadb):
    ctx = _context()
    for _ in range(3):
        work_db.record_work(ctx, "port", "p", now=T0)
    [work] = work_db.claim_work(ctx, "a", LEASE, 10, now=at(1))
    assert len(work.row_ids) == 3

    assert work_db.fail_work(ctx, work, "a", "x" * 10_000, retry_after=30, now=at(2)) == 3
    assert work_db.claim_work(ctx, "b", LEASE, 10, now=at(31)) == []
    [again] = work_db.claim_work(ctx, "b", LEASE, 10, now=at(32))

    assert again.attempts == 1 and len(again.last_error) == work_db.MAX_ERROR_LENGTH
    assert work_db.complete_work(ctx, again, "a") == 0  # not a's any more
    assert work_db.complete_work(ctx, again, "b") == 3
    assert work_db.count_pending(ctx) == 0


def test_held_object_is_not_claimable_until_its_lease_expires(mariadb):
    ctx = _context()
    work_db.record_work(ctx, "network", "n", now=T0)
    work_db.claim_work(ctx, "a", LEASE, 10, now=at(1))
    work_db.record_work(ctx, "network", "n", now=at(2))

    assert work_db.claim_work(_context(), "b", LEASE, 10, now=at(3)) == []
    [taken] = work_db.claim_work(_context(), "b", LEASE, 10, now=at(1 + LEASE + 1))
    assert len(taken.row_ids) == 2


def test_concurrent_claimers_never_share_an_object(mariadb):
    """Four workers race for 40 objects (3 rows each): every object is worked exactly once."""
    objects = [f"port-{i}" for i in range(40)]
    ctx = _context()
    for object_id in objects:
        for _ in range(3):
            work_db.record_work(ctx, "port", object_id, now=T0)

    claimed: Counter[str] = Counter()
    errors: list[BaseException] = []
    start = threading.Barrier(4)
    lock = threading.Lock()

    def worker(holder: str) -> None:
        try:
            wctx = _context()
            start.wait()
            for _ in range(200):
                works = work_db.claim_work(wctx, holder, LEASE, 5, now=at(1))
                if not works:
                    if work_db.count_pending(wctx) == 0:
                        return
                    continue  # lost races; what is left is someone else's or free again
                for work in works:
                    with lock:
                        claimed[work.object_id] += 1
                    assert work_db.complete_work(wctx, work, holder) == len(work.row_ids)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(claimed) == sorted(objects)
    assert set(claimed.values()) == {1}
    assert work_db.count_pending(ctx) == 0
