"""networking_oneview.db.work on SQLite: the work queue's claim/lease semantics. Times are
passed explicitly (``at(seconds)``), so nothing depends on the clock."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
import sqlalchemy as sa
from neutron_lib.db import api as db_api

from networking_oneview.db import work as work_db

A, B = "host-a:101", "host-b:202"
LEASE = 60.0
T0 = datetime.datetime(2026, 5, 4, 12, 0, 0)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def record(context, kind: str, object_id: str, when: float = 0) -> None:
    work_db.record_work(context, kind, object_id, now=at(when))


def claim(context, holder: str = A, when: float = 1, limit: int = 10) -> list[work_db.Work]:
    return work_db.claim_work(context, holder, LEASE, limit, now=at(when))


def rows_by_id(context) -> dict[int, work_db.WorkRow]:
    return {row.id: row for row in work_db.pending_work(context)}


class _Boom(Exception):
    pass


# -- record_work --------------------------------------------------------------------------------


def test_record_work_queues_a_due_unleased_row(context):
    record(context, "network", "net-1")

    [row] = work_db.pending_work(context)
    assert (row.kind, row.object_id, row.attempts) == ("network", "net-1", 0)
    assert row.created_at == row.not_before == T0
    assert row.lease_holder is None and row.lease_expires is None and row.last_error is None


def test_record_work_rejects_an_unknown_kind(context):
    with pytest.raises(ValueError, match="unknown work kind"):
        work_db.record_work(context, "uplink", "x")


def test_record_work_rejects_an_object_id_that_does_not_fit(context):
    with pytest.raises(ValueError, match="object_id"):
        work_db.record_work(context, "port", "x" * 65)


def test_record_work_commits_with_the_outer_writer_transaction(context, other_context):
    with db_api.CONTEXT_WRITER.using(context):
        record(context, "port", "port-1")
        record(context, "network", "net-1")

    assert work_db.count_pending(other_context) == 2


def test_record_work_rolls_back_with_the_outer_writer_transaction(context, other_context):
    with pytest.raises(_Boom), db_api.CONTEXT_WRITER.using(context):
        record(context, "port", "port-1")
        raise _Boom  # the Neutron change fails in precommit

    assert work_db.count_pending(other_context) == 0


# -- claim_work ---------------------------------------------------------------------------------


def test_claim_collapses_duplicates_of_one_object_into_one_work(context):
    for i in range(3):
        record(context, "port", "port-1", when=i * 0.1)

    [work] = claim(context)

    assert (work.kind, work.object_id) == ("port", "port-1")
    assert work.row_ids == tuple(sorted(rows_by_id(context)))
    assert work.lease_expires == at(1 + LEASE)
    assert work.created_at == T0
    assert {r.lease_holder for r in work_db.pending_work(context)} == {A}


def test_claim_returns_one_work_per_object(context):
    record(context, "port", "p")
    record(context, "network", "p")  # same id, other kind: another object
    record(context, "network", "n")

    works = claim(context)

    assert sorted((w.kind, w.object_id) for w in works) == [
        ("network", "n"),
        ("network", "p"),
        ("port", "p"),
    ]


def test_claim_limit_counts_objects_oldest_first(context):
    record(context, "network", "old", when=0)
    record(context, "network", "new", when=0.5)
    record(context, "network", "old", when=0.6)

    [work] = claim(context, limit=1)

    assert work.object_id == "old" and len(work.row_ids) == 2


def test_claim_ignores_work_not_due_yet(context):
    work_db.record_work(context, "network", "n", now=at(5))

    assert claim(context, when=4) == []


def test_held_lease_is_not_claimable_by_another_holder(context, other_context):
    record(context, "network", "n")
    claim(context, A, when=1)

    assert claim(other_context, B, when=1 + LEASE - 1) == []


def test_held_lease_is_not_claimable_again_by_its_holder(context):
    record(context, "network", "n")
    claim(context, A, when=1)

    assert claim(context, A, when=2) == []


def test_new_row_of_a_held_object_is_not_claimable_while_the_lease_lasts(context, other_context):
    record(context, "network", "n")
    claim(context, A, when=1)
    record(context, "network", "n", when=2)

    assert claim(other_context, B, when=3) == []


def test_expired_lease_is_claimable_by_another_holder(context, other_context):
    record(context, "network", "n")
    [first] = claim(context, A, when=1)

    [second] = claim(other_context, B, when=1 + LEASE + 1)

    assert second.row_ids == first.row_ids
    assert {r.lease_holder for r in work_db.pending_work(context)} == {B}


def test_claim_takes_rows_in_backoff_along_with_a_due_row(context):
    record(context, "network", "n")
    [work] = claim(context, A, when=1)
    work_db.fail_work(context, work, A, "boom", retry_after=300, now=at(2))
    record(context, "network", "n", when=3)  # a new change makes the object due again

    [again] = claim(context, A, when=4)

    assert len(again.row_ids) == 2
    assert again.attempts == 1 and again.last_error == "boom"


def test_claim_inside_an_outer_writer_transaction_joins_it(context, other_context):
    record(context, "network", "n")

    with db_api.CONTEXT_WRITER.using(context):
        [work] = claim(context, A)

    assert [r.lease_holder for r in work_db.pending_work(other_context)] == [A]
    assert work.object_id == "n"


def test_lost_compare_and_swap_releases_the_object(context, db_engine):
    """Another claimer takes a row between our SELECT and our UPDATE: we must back off."""
    record(context, "network", "n")
    record(context, "network", "n", when=0.5)
    first_id = min(rows_by_id(context))
    raced = []

    def concurrent_claim(conn, cursor, statement, parameters, _context, executemany):
        # What an InnoDB UPDATE would see: a claim committed by B after our SELECT.
        if not raced and statement.startswith("UPDATE oneview_pending_work SET lease_holder"):
            raced.append(statement)
            cursor.execute(
                "UPDATE oneview_pending_work SET lease_holder = ?, lease_expires = ? WHERE id = ?",
                (B, str(at(500)), first_id),
            )

    sa.event.listen(db_engine, "before_cursor_execute", concurrent_claim)
    try:
        assert claim(context, A, when=1) == []
    finally:
        sa.event.remove(db_engine, "before_cursor_execute", concurrent_claim)

    assert raced
    assert {i: r.lease_holder for i, r in rows_by_id(context).items()} == {
        first_id: B,
        first_id + 1: None,
    }


# -- complete_work / fail_work ------------------------------------------------------------------


def test_complete_deletes_the_claimed_rows(context):
    record(context, "network", "n")
    record(context, "network", "n")
    [work] = claim(context)

    assert work_db.complete_work(context, work, A) == 2
    assert work_db.count_pending(context) == 0


def test_rows_recorded_after_a_claim_stay_pending_for_the_next_round(context):
    record(context, "network", "n")
    [work] = claim(context, A, when=1)
    record(context, "network", "n", when=2)

    work_db.complete_work(context, work, A)

    [row] = work_db.pending_work(context)
    assert row.id not in work.row_ids and row.lease_holder is None
    assert [w.object_id for w in claim(context, A, when=3)] == ["n"]


def test_complete_leaves_rows_another_holder_took_over(context, other_context):
    record(context, "network", "n")
    [stale] = claim(context, A, when=1)
    claim(other_context, B, when=1 + LEASE + 1)  # A's lease expired; B took over

    assert work_db.complete_work(context, stale, A) == 0
    assert work_db.count_pending(context) == 1


def test_fail_releases_the_lease_with_backoff_attempts_and_error(context):
    record(context, "port", "p")
    [work] = claim(context, A, when=1)

    assert work_db.fail_work(context, work, A, "profile PUT failed", retry_after=30, now=at(2)) == 1

    [row] = work_db.pending_work(context)
    assert row.lease_holder is None and row.lease_expires is None
    assert row.attempts == 1
    assert row.not_before == at(32)
    assert row.last_error == "profile PUT failed"


def test_failed_work_waits_for_its_backoff(context):
    record(context, "port", "p")
    [work] = claim(context, A, when=1)
    work_db.fail_work(context, work, A, "boom", retry_after=30, now=at(2))

    assert claim(context, A, when=31) == []
    [again] = claim(context, A, when=32)
    assert again.attempts == 1


def test_fail_truncates_a_long_error(context):
    record(context, "port", "p")
    [work] = claim(context)

    work_db.fail_work(context, work, A, "x" * 100_000, retry_after=1)

    [row] = work_db.pending_work(context)
    assert len(row.last_error) == work_db.MAX_ERROR_LENGTH
    assert row.last_error.endswith("[truncated]")


def test_fail_leaves_rows_another_holder_took_over(context, other_context):
    record(context, "port", "p")
    [stale] = claim(context, A, when=1)
    claim(other_context, B, when=1 + LEASE + 1)

    assert work_db.fail_work(context, stale, A, "late", retry_after=1, now=at(70)) == 0
    [row] = work_db.pending_work(context)
    assert row.lease_holder == B and row.attempts == 0


def test_renew_lease_keeps_the_object_from_other_holders(context, other_context):
    record(context, "network", "n")
    [work] = claim(context, A, when=1)

    assert work_db.renew_lease(context, work, A, LEASE, now=at(50)) is True
    assert claim(other_context, B, when=1 + LEASE + 1) == []


def test_renew_lease_fails_once_another_holder_took_over(context, other_context):
    record(context, "network", "n")
    [work] = claim(context, A, when=1)
    claim(other_context, B, when=1 + LEASE + 1)

    assert work_db.renew_lease(context, work, A, LEASE, now=at(70)) is False


def test_work_is_a_frozen_dataclass(context):
    record(context, "full", "all")
    [work] = claim(context)

    with pytest.raises(dataclasses.FrozenInstanceError):
        work.attempts = 5  # type: ignore[misc]


def test_expedite_makes_backed_off_work_due_now(context):
    work_db.record_work(context, "port", "p1")
    [work] = work_db.claim_work(context, "holder-a", 60, 10)
    work_db.fail_work(context, work, "holder-a", "boom", retry_after=3600)
    assert work_db.claim_work(context, "holder-b", 60, 10) == []
    assert work_db.expedite_work(context) == 1
    assert [w.object_id for w in work_db.claim_work(context, "holder-b", 60, 10)] == ["p1"]
