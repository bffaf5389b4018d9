"""SQLAlchemy models of the driver's tables (all prefixed ``oneview_``).

The alembic branch in ``networking_oneview.db.migration`` creates exactly these tables; the
model/migration sync test (tests/functional/db) keeps both in step. Datetimes are naive UTC, as
everywhere in Neutron.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from neutron_lib.db import model_base
from sqlalchemy.orm import Mapped, mapped_column

# InnoDB (from BASEV2) and a 4-byte UTF-8 default charset on MySQL/MariaDB.
TABLE_OPTIONS = {**model_base.BASEV2.__table_args__, "mysql_default_charset": "utf8mb4"}

# BIGINT keys on MySQL/MariaDB; SQLite only auto-increments an "INTEGER PRIMARY KEY".
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

NETWORK_TYPES = ("vlan", "flat")
WORK_KINDS = ("network", "port", "full")


class OneViewNetwork(model_base.BASEV2):
    """A OneView ethernet network this cloud created for one Neutron segment (ownership)."""

    __tablename__ = "oneview_networks"
    __table_args__ = (
        sa.Index("ix_oneview_networks_network_id", "network_id"),
        sa.UniqueConstraint("oneview_uri", name="uniq_oneview_networks0oneview_uri"),
        TABLE_OPTIONS,
    )

    segment_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    network_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    physnet: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    network_type: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    segmentation_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    oneview_uri: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    oneview_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)


class OneViewPortConnection(model_base.BASEV2):
    """A server-profile connection this cloud created for a Neutron port (ownership).

    The unique (server_profile_uri, connection_id) index also serves lookups by profile.
    """

    __tablename__ = "oneview_port_connections"
    __table_args__ = (
        sa.Index("ix_oneview_port_connections_port_id", "port_id"),
        sa.UniqueConstraint(
            "server_profile_uri",
            "connection_id",
            name="uniq_oneview_port_connections0server_profile_uri0connection_id",
        ),
        TABLE_OPTIONS,
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    port_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    server_hardware_uri: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    server_profile_uri: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    connection_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    connection_name: Mapped[str] = mapped_column(sa.String(63), nullable=False)
    oneview_port: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    network_uri: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)
    updated_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)


class OneViewPendingWork(model_base.BASEV2):
    """A durable intent: "reconcile this object", written in the Neutron change's transaction.

    Rows name an object, not an operation; the reconciler claims all rows of one object with a
    lease (compare-and-swap UPDATE), reconciles it and deletes the rows it claimed.
    """

    __tablename__ = "oneview_pending_work"
    __table_args__ = (
        sa.Index("ix_oneview_pending_work_kind_object_id", "kind", "object_id"),
        sa.Index("ix_oneview_pending_work_not_before", "not_before"),
        # Never reuse a deleted row's id on SQLite either (ids order the queue).
        {**TABLE_OPTIONS, "sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    object_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)
    not_before: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default=sa.text("0")
    )
    lease_holder: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    lease_expires: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)


TABLES = tuple(
    model.__table__  # type: ignore[attr-defined]
    for model in (OneViewNetwork, OneViewPortConnection, OneViewPendingWork)
)
TABLE_NAMES = tuple(table.name for table in TABLES)
TABLE_PREFIX = "oneview_"
