"""Queries on ``oneview_power_restores``: servers we powered off and still owe a power-on."""

from __future__ import annotations

import sqlalchemy as sa
from neutron_lib.db import api as db_api

from networking_oneview.db import models
from networking_oneview.db.work import utcnow

_Restore = models.OneViewPowerRestore


def owe_power_on(context, server_hardware_uri: str) -> None:
    """Record, before powering it off, that the server must be powered on again."""
    with db_api.CONTEXT_WRITER.using(context):
        if context.session.get(_Restore, server_hardware_uri) is None:
            context.session.add(
                _Restore(server_hardware_uri=server_hardware_uri, created_at=utcnow())
            )


def owes_power_on(context, server_hardware_uri: str) -> bool:
    with db_api.CONTEXT_READER.using(context):
        return context.session.get(_Restore, server_hardware_uri) is not None


def power_restored(context, server_hardware_uri: str) -> None:
    with db_api.CONTEXT_WRITER.using(context):
        context.session.execute(
            sa.delete(_Restore)
            .where(_Restore.server_hardware_uri == server_hardware_uri)
            .execution_options(synchronize_session=False)
        )


def owed(context) -> list[str]:
    """Every server still owed a power-on (for the full sync and status)."""
    with db_api.CONTEXT_READER.using(context):
        return list(
            context.session.execute(
                sa.select(_Restore.server_hardware_uri).order_by(_Restore.created_at)
            ).scalars()
        )
