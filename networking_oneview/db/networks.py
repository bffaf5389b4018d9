"""Our ownership records of OneView ethernet networks (``oneview_networks``), one per segment.

Reads return frozen dataclasses, never ORM objects; writes join the caller's transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa
from neutron_lib.db import api as db_api

from networking_oneview.db import models
from networking_oneview.db.work import utcnow

NETWORK_TYPES = frozenset(models.NETWORK_TYPES)
_Network = models.OneViewNetwork


@dataclass(frozen=True)
class OwnedNetwork:
    """A OneView ethernet network this cloud created for one Neutron segment."""

    segment_id: str
    network_id: str
    physnet: str
    network_type: str  # 'vlan' | 'flat'
    segmentation_id: int | None
    oneview_uri: str
    oneview_name: str
    created_at: datetime.datetime | None = None  # set by add_owned_network when None


def _to_owned_network(row: models.OneViewNetwork) -> OwnedNetwork:
    return OwnedNetwork(
        segment_id=row.segment_id,
        network_id=row.network_id,
        physnet=row.physnet,
        network_type=row.network_type,
        segmentation_id=row.segmentation_id,
        oneview_uri=row.oneview_uri,
        oneview_name=row.oneview_name,
        created_at=row.created_at,
    )


def owned_networks(context, network_id: str | None = None) -> list[OwnedNetwork]:
    """Our OneView networks, all or those of one Neutron network."""
    stmt = sa.select(_Network).order_by(_Network.network_id, _Network.segment_id)
    if network_id is not None:
        stmt = stmt.where(_Network.network_id == network_id)
    with db_api.CONTEXT_READER.using(context):
        return [_to_owned_network(r) for r in context.session.execute(stmt).scalars()]


def owned_networks_named(context, names: list[str]) -> list[OwnedNetwork]:
    """Our records of OneView networks with one of these names."""
    if not names:
        return []
    stmt = sa.select(_Network).where(_Network.oneview_name.in_(names))
    with db_api.CONTEXT_READER.using(context):
        return [_to_owned_network(r) for r in context.session.execute(stmt).scalars()]


def owned_network_by_segment(context, segment_id: str) -> OwnedNetwork | None:
    with db_api.CONTEXT_READER.using(context):
        row = context.session.get(_Network, segment_id)
        return _to_owned_network(row) if row is not None else None


def add_owned_network(context, network: OwnedNetwork) -> OwnedNetwork:
    """Record a OneView network we created; returns it with ``created_at`` filled in.

    A second record for the same segment or OneView URI raises ``oslo_db`` ``DBDuplicateEntry``.
    """
    if network.network_type not in NETWORK_TYPES:
        raise ValueError(
            f"unknown network type {network.network_type!r}; expected one of "
            f"{sorted(NETWORK_TYPES)}"
        )
    created_at = network.created_at or utcnow()
    with db_api.CONTEXT_WRITER.using(context):
        row = _Network(
            segment_id=network.segment_id,
            network_id=network.network_id,
            physnet=network.physnet,
            network_type=network.network_type,
            segmentation_id=network.segmentation_id,
            oneview_uri=network.oneview_uri,
            oneview_name=network.oneview_name,
            created_at=created_at,
        )
        context.session.add(row)
        context.session.flush()
        return _to_owned_network(row)


def remove_owned_network(context, segment_id: str) -> bool:
    """Forget the OneView network of ``segment_id``; False when there was none."""
    with db_api.CONTEXT_WRITER.using(context):
        result = context.session.execute(
            sa.delete(_Network)
            .where(_Network.segment_id == segment_id)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount > 0
