"""Queries on ``oneview_nic_claims``: which NICs of which server profiles we hold.

Claims are written before a profile PUT (with the original connection we take over) and
confirmed or dropped from the profile OneView returns after it; only the reconciler of that
server, under its lease, writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from neutron_lib.db import api as db_api

from networking_oneview.db import models
from networking_oneview.db.work import utcnow
from networking_oneview.reconcile.connections import Claim

_Claim = models.OneViewNicClaim


@dataclass(frozen=True)
class ClaimRecord:
    """A claim as stored, with the server it belongs to."""

    server_hardware_uri: str
    server_profile_uri: str
    claim: Claim


def _record(row: Any) -> ClaimRecord:
    original = json.loads(row.original) if row.original else None
    return ClaimRecord(
        row.server_hardware_uri,
        row.server_profile_uri,
        Claim(row.nic, row.port_id, row.connection_name, original, row.connection_id),
    )


def claims(
    context,
    *,
    server_hardware_uri: str | None = None,
    server_profile_uri: str | None = None,
    port_id: str | None = None,
) -> list[ClaimRecord]:
    stmt = sa.select(_Claim).order_by(_Claim.server_profile_uri, _Claim.nic)
    if server_hardware_uri is not None:
        stmt = stmt.where(_Claim.server_hardware_uri == server_hardware_uri)
    if server_profile_uri is not None:
        stmt = stmt.where(_Claim.server_profile_uri == server_profile_uri)
    if port_id is not None:
        stmt = stmt.where(_Claim.port_id == port_id)
    with db_api.CONTEXT_READER.using(context):
        return [_record(r) for r in context.session.execute(stmt).scalars()]


def save_claim(context, server_hardware_uri: str, server_profile_uri: str, claim: Claim) -> None:
    """Insert or replace the claim on (profile, NIC), exactly as the planner made it."""
    now = utcnow()
    original = json.dumps(claim.original, sort_keys=True) if claim.original is not None else None
    with db_api.CONTEXT_WRITER.using(context):
        row = context.session.get(_Claim, (server_profile_uri, claim.nic))
        if row is None:
            context.session.add(
                _Claim(
                    server_profile_uri=server_profile_uri,
                    nic=claim.nic,
                    server_hardware_uri=server_hardware_uri,
                    port_id=claim.port_id,
                    connection_name=claim.connection_name,
                    connection_id=claim.connection_id,
                    original=original,
                    created_at=now,
                    updated_at=now,
                )
            )
            return
        row.server_hardware_uri = server_hardware_uri
        row.port_id = claim.port_id
        row.connection_name = claim.connection_name
        row.connection_id = claim.connection_id
        row.original = original
        row.updated_at = now


def confirm_claim(context, server_profile_uri: str, nic: str, connection_id: Any) -> None:
    """Record the id OneView gave the connection we hold on ``nic`` (after our PUT)."""
    cid = connection_id if isinstance(connection_id, int) else None
    with db_api.CONTEXT_WRITER.using(context):
        context.session.execute(
            sa.update(_Claim)
            .where(_Claim.server_profile_uri == server_profile_uri, _Claim.nic == nic)
            .values(connection_id=cid, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def drop_claims(
    context,
    *,
    server_profile_uri: str | None = None,
    nics: list[str] | None = None,
    server_hardware_uri: str | None = None,
) -> int:
    """Forget claims: some NICs of one profile, every claim of a profile, or of a server."""
    stmt = sa.delete(_Claim)
    if server_profile_uri is not None:
        stmt = stmt.where(_Claim.server_profile_uri == server_profile_uri)
    if nics is not None:
        stmt = stmt.where(_Claim.nic.in_(nics))
    if server_hardware_uri is not None:
        stmt = stmt.where(_Claim.server_hardware_uri == server_hardware_uri)
    with db_api.CONTEXT_WRITER.using(context):
        return context.session.execute(stmt.execution_options(synchronize_session=False)).rowcount
