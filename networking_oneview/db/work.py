"""The work queue (``oneview_pending_work``). Every function takes a neutron-lib context.

Reads return frozen dataclasses, never ORM objects, so nothing outside this module can lazily
load or accidentally write through a session. Writes use neutron-lib's ``CONTEXT_WRITER``: called
inside an outer writer transaction (an ML2 precommit) they join it, so the row commits or rolls
back with the Neutron change.

The work queue (``oneview_pending_work``) is level-triggered: a row says "reconcile this object",
not what to do. A reconciler claims all rows of one object together under a lease, reconciles the
object, then deletes exactly the rows it claimed; rows recorded meanwhile stay for the next round.
Claims are compare-and-swap UPDATEs checked by row count, never SELECT ... FOR UPDATE, so they stay
correct on Galera (a conflicting claim on another node fails certification instead).

All datetimes are naive UTC. MySQL/MariaDB ``DATETIME`` keeps whole seconds, so a stored lease or
backoff may end up to a second earlier than computed; nothing here depends on finer precision.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from neutron_lib.db import api as db_api
from oslo_db import exception as db_exc
from oslo_utils import timeutils
from sqlalchemy import orm

from networking_oneview.db import models

LOG = logging.getLogger(__name__)

KIND_NETWORK = "network"
KIND_LIG = "lig"  # uplink-set membership of one LIG and of its logical interconnects
KIND_PORT = "port"
KIND_SERVER = "server"
KIND_FULL = "full"
#: How long a refusal that only a change can cure waits before it is tried again by itself.
PARKED_SECONDS = 30 * 24 * 3600.0
WORK_KINDS = frozenset(models.WORK_KINDS)
OBJECT_ID_LENGTH = models.OneViewPendingWork.object_id.type.length

#: ``last_error`` is cut to this many characters (a task error can carry a whole profile).
MAX_ERROR_LENGTH = 2000
_TRUNCATED = "... [truncated]"

_Work = models.OneViewPendingWork


# -- plain results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """One claimed job: every pending row of one object, held by one lease."""

    kind: str
    object_id: str
    row_ids: tuple[int, ...]
    attempts: int  # the highest attempt count among the rows
    created_at: datetime.datetime  # when the oldest row was recorded
    lease_expires: datetime.datetime
    last_error: str | None  # the newest error among the rows, if any


@dataclass(frozen=True)
class WorkRow:
    """One row of the queue as stored (for status output)."""

    id: int
    kind: str
    object_id: str
    created_at: datetime.datetime
    not_before: datetime.datetime
    attempts: int
    lease_holder: str | None
    lease_expires: datetime.datetime | None
    last_error: str | None


def utcnow() -> datetime.datetime:
    """Naive UTC now, as Neutron stores it (``oslo_utils.timeutils`` honours time overrides)."""
    return timeutils.utcnow()


# -- work queue ---------------------------------------------------------------------------------


def _lease_free(model, now: datetime.datetime):
    # The claim predicate; "lease_expires IS NULL" only guards against a half-written lease.
    return sa.or_(
        model.lease_holder.is_(None), model.lease_expires.is_(None), model.lease_expires < now
    )


def _lease_held(row, now: datetime.datetime) -> bool:
    return (
        row.lease_holder is not None and row.lease_expires is not None and row.lease_expires >= now
    )


def record_work(
    context, kind: str, object_id: str, *, now: datetime.datetime | None = None
) -> None:
    """Queue "reconcile ``kind``/``object_id``": one INSERT, joining the caller's transaction.

    Always inserts, never looks for an existing row to reuse: a pending row may be claimed by a
    reconciler that read the Neutron state before this transaction commits, so only a new row
    guarantees another round after this change is visible. Duplicates collapse at claim time.
    """
    if kind not in WORK_KINDS:
        raise ValueError(f"unknown work kind {kind!r}; expected one of {sorted(WORK_KINDS)}")
    if not object_id or len(object_id) > OBJECT_ID_LENGTH:
        raise ValueError(f"object_id must have 1 to {OBJECT_ID_LENGTH} characters: {object_id!r}")
    now = now or utcnow()
    with db_api.CONTEXT_WRITER.using(context):
        context.session.add(
            _Work(kind=kind, object_id=object_id, created_at=now, not_before=now, attempts=0)
        )


def park_work(context, kind: str, object_id: str, error: str, seconds: float) -> None:
    """Record that ``kind``/``object_id`` failed for a reason only a change can cure: a row due
    in ``seconds`` carrying ``error`` (shown by ``status``), unless one with that error exists."""
    now = utcnow()
    with db_api.CONTEXT_WRITER.using(context):
        exists = context.session.execute(
            sa.select(_Work.id).where(
                _Work.kind == kind,
                _Work.object_id == object_id,
                _Work.last_error == truncate_error(error),
                _Work.not_before > now,
            )
        ).first()
        if exists is None:
            context.session.add(
                _Work(
                    kind=kind,
                    object_id=object_id,
                    created_at=now,
                    not_before=now + datetime.timedelta(seconds=seconds),
                    attempts=1,
                    last_error=truncate_error(error),
                )
            )


def claim_work(
    context,
    holder: str,
    lease_seconds: float,
    limit: int,
    now: datetime.datetime | None = None,
    exclude: frozenset[tuple[str, str]] = frozenset(),
    kinds: frozenset[str] | None = None,
) -> list[Work]:
    """Lease up to ``limit`` objects that have due work, and return one ``Work`` per object.

    An object is eligible when at least one of its rows is due (``not_before <= now``) and none of
    its rows is under an unexpired lease (by anyone, ``holder`` included: one applier per object).
    All of its rows are then claimed together, rows still in retry backoff included, since one
    reconciliation satisfies them all. Each object is claimed in its own transaction with a
    compare-and-swap UPDATE; if the row count shows that another claimer got there first, the
    object is released again and skipped.  ``exclude`` names objects not to claim (those the
    caller already tried in this run); ``kinds`` limits the claim to those kinds of work.
    """
    if not holder:
        raise ValueError("holder must not be empty")
    if limit <= 0:
        return []
    now = now or utcnow()
    expires = now + datetime.timedelta(seconds=lease_seconds)
    nested = db_api.is_session_active(context.session)

    claimed: list[Work] = []
    due = [o for o in _due_objects(context, now, limit + len(exclude), kinds) if o not in exclude]
    for kind, object_id in due[:limit]:
        try:
            work = _claim_object(context, kind, object_id, holder, now, expires)
        except db_exc.DBDeadlock:
            # A concurrent claim of the same rows won (Galera certification or InnoDB deadlock).
            if nested:
                raise
            LOG.debug("Lost the claim race for %s %s", kind, object_id)
            continue
        if work is not None:
            claimed.append(work)
    return claimed


def _due_objects(
    context, now: datetime.datetime, limit: int, kinds: frozenset[str] | None = None
) -> list[tuple[str, str]]:
    other = orm.aliased(_Work)
    busy = (
        sa.select(other.id)
        .where(
            other.kind == _Work.kind,
            other.object_id == _Work.object_id,
            other.lease_holder.is_not(None),
            other.lease_expires >= now,
        )
        .exists()
    )
    stmt = (
        sa.select(_Work.kind, _Work.object_id)
        .where(_Work.not_before <= now, _lease_free(_Work, now), ~busy)
        .where(_Work.kind.in_(sorted(kinds)) if kinds is not None else sa.true())
        .group_by(_Work.kind, _Work.object_id)
        .order_by(sa.func.min(_Work.not_before), sa.func.min(_Work.id))
        .limit(limit)
    )
    with db_api.CONTEXT_READER.using(context):
        return [(row.kind, row.object_id) for row in context.session.execute(stmt)]


def _claim_object(
    context,
    kind: str,
    object_id: str,
    holder: str,
    now: datetime.datetime,
    expires: datetime.datetime,
) -> Work | None:
    with db_api.CONTEXT_WRITER.using(context):
        session = context.session
        # Plain column rows, not entities: the UPDATEs below bypass the identity map.
        rows = session.execute(
            sa.select(
                _Work.id,
                _Work.created_at,
                _Work.not_before,
                _Work.attempts,
                _Work.lease_holder,
                _Work.lease_expires,
                _Work.last_error,
            )
            .where(_Work.kind == kind, _Work.object_id == object_id)
            .order_by(_Work.id)
        ).all()
        if not rows or any(_lease_held(r, now) for r in rows):
            return None
        if not any(r.not_before <= now for r in rows):
            return None
        ids = [r.id for r in rows]
        # The compare-and-swap: only rows that are still free move to us. Rows deleted or
        # claimed since the SELECT make the count fall short.
        result = session.execute(
            sa.update(_Work)
            .where(_Work.id.in_(ids), _lease_free(_Work, now))
            .values(lease_holder=holder, lease_expires=expires)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != len(ids):
            session.execute(
                sa.update(_Work)
                .where(_Work.id.in_(ids), _Work.lease_holder == holder)
                .values(lease_holder=None, lease_expires=None)
                .execution_options(synchronize_session=False)
            )
            LOG.debug("Claim of %s %s raced with another claimer; skipped", kind, object_id)
            return None
        errors = [r for r in rows if r.last_error]
        return Work(
            kind=kind,
            object_id=object_id,
            row_ids=tuple(ids),
            attempts=max(r.attempts for r in rows),
            created_at=min(r.created_at for r in rows),
            lease_expires=expires,
            last_error=errors[-1].last_error if errors else None,
        )


def lease_holders(context, now: datetime.datetime | None = None) -> set[str]:
    """Every holder with an unexpired lease (to spot holders that are known to be dead)."""
    now = now or utcnow()
    stmt = sa.select(_Work.lease_holder).where(_Work.lease_expires >= now).distinct()
    with db_api.CONTEXT_READER.using(context):
        return {row.lease_holder for row in context.session.execute(stmt) if row.lease_holder}


def release_leases_of(context, holder: str) -> int:
    """Free every lease of ``holder``, a process known to be dead, so its work is taken over
    now instead of when its lease would expire.  Returns the number of rows released."""
    stmt = (
        sa.update(_Work)
        .where(_Work.lease_holder == holder)
        .values(lease_holder=None, lease_expires=None)
        .execution_options(synchronize_session=False)
    )
    with db_api.CONTEXT_WRITER.using(context):
        return context.session.execute(stmt).rowcount


def renew_lease(
    context,
    work: Work,
    holder: str,
    lease_seconds: float,
    now: datetime.datetime | None = None,
) -> bool:
    """Extend the lease on ``work`` (for long jobs).

    False when ``holder`` no longer holds all of its rows.
    """
    now = now or utcnow()
    with db_api.CONTEXT_WRITER.using(context):
        result = context.session.execute(
            sa.update(_Work)
            .where(_Work.id.in_(work.row_ids), _Work.lease_holder == holder)
            .values(lease_expires=now + datetime.timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == len(work.row_ids)


def complete_work(context, work: Work, holder: str) -> int:
    """Delete the rows of ``work`` still held by ``holder``; returns how many were deleted.

    Rows recorded for the same object after the claim are not in ``work.row_ids`` and stay
    pending. Rows another holder took over after our lease expired are left to it.
    """
    with db_api.CONTEXT_WRITER.using(context):
        result = context.session.execute(
            sa.delete(_Work)
            .where(_Work.id.in_(work.row_ids), _Work.lease_holder == holder)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount


def fail_work(
    context,
    work: Work,
    holder: str,
    error: str,
    retry_after: float,
    *,
    now: datetime.datetime | None = None,
) -> int:
    """Release ``work`` for a retry after ``retry_after`` seconds, counting the attempt.

    Only rows still held by ``holder`` change; returns how many did.
    """
    now = now or utcnow()
    with db_api.CONTEXT_WRITER.using(context):
        result = context.session.execute(
            sa.update(_Work)
            .where(_Work.id.in_(work.row_ids), _Work.lease_holder == holder)
            .values(
                lease_holder=None,
                lease_expires=None,
                attempts=_Work.attempts + 1,
                not_before=now + datetime.timedelta(seconds=retry_after),
                last_error=truncate_error(error),
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount


def expedite_work(context, *, now: datetime.datetime | None = None) -> int:
    """Make every unleased pending item due now, skipping its backoff (operator's "retry now")."""
    now = now or utcnow()
    with db_api.CONTEXT_WRITER.using(context):
        result = context.session.execute(
            sa.update(_Work)
            .where(_Work.not_before > now, _lease_free(_Work, now))
            .values(not_before=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount


def truncate_error(error: str) -> str:
    """``error`` cut to ``MAX_ERROR_LENGTH`` characters, marked when cut."""
    error = str(error)
    if len(error) <= MAX_ERROR_LENGTH:
        return error
    return error[: MAX_ERROR_LENGTH - len(_TRUNCATED)] + _TRUNCATED


def pending_work(context) -> list[WorkRow]:
    """Every queued row, oldest first (for status output)."""
    with db_api.CONTEXT_READER.using(context):
        rows = context.session.execute(sa.select(_Work).order_by(_Work.id)).scalars().all()
        return [
            WorkRow(
                id=r.id,
                kind=r.kind,
                object_id=r.object_id,
                created_at=r.created_at,
                not_before=r.not_before,
                attempts=r.attempts,
                lease_holder=r.lease_holder,
                lease_expires=r.lease_expires,
                last_error=r.last_error,
            )
            for r in rows
        ]


def pending_objects(context) -> set[tuple[str, str]]:
    """(kind, object id) of everything queued, claimed or not."""
    with db_api.CONTEXT_READER.using(context):
        rows = context.session.execute(sa.select(_Work.kind, _Work.object_id).distinct())
        return {(r.kind, r.object_id) for r in rows}


def count_pending(context) -> int:
    """How many rows are queued (claimed or not)."""
    with db_api.CONTEXT_READER.using(context):
        return context.session.execute(sa.select(sa.func.count(_Work.id))).scalar_one()


__all__ = (
    "KIND_FULL",
    "KIND_LIG",
    "KIND_NETWORK",
    "KIND_PORT",
    "KIND_SERVER",
    "MAX_ERROR_LENGTH",
    "Work",
    "WorkRow",
    "claim_work",
    "complete_work",
    "count_pending",
    "expedite_work",
    "fail_work",
    "park_work",
    "pending_objects",
    "pending_work",
    "record_work",
    "renew_lease",
    "truncate_error",
    "utcnow",
)
