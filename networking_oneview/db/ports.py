"""Queries on ``oneview_ports``: each bare-metal port we bound, where it goes and how far it got.

The rows are the index of bound ports by server (a server reconcile reads only its own ports) and
what ``networking-oneview status`` shows when a port is not ACTIVE and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from neutron_lib.db import api as db_api

from networking_oneview.db import models
from networking_oneview.db.work import utcnow

_Port = models.OneViewPort

WAITING, ACTIVE, REFUSED, ERROR = models.PORT_STATES


@dataclass(frozen=True)
class PortNic:
    nic: str  # OneView portId
    bootable: bool | None


@dataclass(frozen=True)
class PortRecord:
    port_id: str
    server_hardware_uri: str | None
    nics: tuple[PortNic, ...]
    state: str
    reason: str | None


def _record(row: _Port) -> PortRecord:
    nics = tuple(PortNic(n["nic"], n.get("bootable")) for n in json.loads(row.nics or "[]"))
    return PortRecord(row.port_id, row.server_hardware_uri, nics, row.state, row.reason)


def port(context, port_id: str) -> PortRecord | None:
    with db_api.CONTEXT_READER.using(context):
        row = context.session.get(_Port, port_id)
        return _record(row) if row is not None else None


def ports(context, *, server_hardware_uri: str | None = None) -> list[PortRecord]:
    stmt = sa.select(_Port).order_by(_Port.port_id)
    if server_hardware_uri is not None:
        stmt = stmt.where(_Port.server_hardware_uri == server_hardware_uri)
    with db_api.CONTEXT_READER.using(context):
        return [_record(r) for r in context.session.execute(stmt).scalars()]


def save_port(
    context,
    port_id: str,
    server_hardware_uri: str | None,
    nics: tuple[PortNic, ...],
    state: str,
    reason: str | None = None,
) -> None:
    text = json.dumps([{"nic": n.nic, "bootable": n.bootable} for n in nics])
    with db_api.CONTEXT_WRITER.using(context):
        row = context.session.get(_Port, port_id)
        if row is None:
            row = _Port(port_id=port_id)
            context.session.add(row)
        row.server_hardware_uri = server_hardware_uri
        row.nics = text
        row.state = state
        row.reason = reason
        row.updated_at = utcnow()


def set_state(context, port_id: str, state: str, reason: str | None = None) -> bool:
    """Record how far a port got; False when we have no row for it (it went away)."""
    with db_api.CONTEXT_WRITER.using(context):
        result = context.session.execute(
            sa.update(_Port)
            .where(_Port.port_id == port_id)
            .values(state=state, reason=reason, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return result.rowcount > 0


def forget_port(context, port_id: str) -> bool:
    with db_api.CONTEXT_WRITER.using(context):
        result = context.session.execute(
            sa.delete(_Port)
            .where(_Port.port_id == port_id)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount > 0
