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
WORK_KINDS = ("network", "lig", "port", "server", "full")
PORT_STATES = ("waiting", "active", "refused", "error")


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


class OneViewNicClaim(model_base.BASEV2):
    """Our hold on one NIC of one server profile while a bare-metal port is bound to it.

    ``original`` is the connection that was on the NIC before we took it over (JSON, restored
    exactly when the port goes away); NULL when we added the connection ourselves.  Written
    before the profile PUT, so a crash after the PUT still knows what to restore.
    """

    __tablename__ = "oneview_nic_claims"
    __table_args__ = (
        sa.Index("ix_oneview_nic_claims_port_id", "port_id"),
        sa.Index("ix_oneview_nic_claims_server_hardware_uri", "server_hardware_uri"),
        TABLE_OPTIONS,
    )

    server_profile_uri: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    nic: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    server_hardware_uri: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    port_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    connection_name: Mapped[str] = mapped_column(sa.String(63), nullable=False)
    connection_id: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    original: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)
    updated_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)


class OneViewPort(model_base.BASEV2):
    """A bare-metal port bound by us: the server and NICs it needs, and how far it got.

    Also the index of bound ports by server, so a server reconcile reads only its own ports.
    """

    __tablename__ = "oneview_ports"
    __table_args__ = (
        sa.Index("ix_oneview_ports_server_hardware_uri", "server_hardware_uri"),
        TABLE_OPTIONS,
    )

    port_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    server_hardware_uri: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    nics: Mapped[str] = mapped_column(sa.Text, nullable=False)  # JSON [{nic, bootable}]
    state: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    updated_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)


class OneViewPowerRestore(model_base.BASEV2):
    """A server we powered off for a profile change and still owe a power-on.

    Recorded before the power-off, deleted after the power-on, so no crash, failed power-on or
    task time-out leaves a tenant's server off.
    """

    __tablename__ = "oneview_power_restores"
    __table_args__ = (TABLE_OPTIONS,)

    server_hardware_uri: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    created_at: Mapped[datetime.datetime] = mapped_column(sa.DateTime, nullable=False)


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
    for model in (
        OneViewNetwork,
        OneViewNicClaim,
        OneViewPort,
        OneViewPowerRestore,
        OneViewPendingWork,
    )
)
TABLE_NAMES = tuple(table.name for table in TABLES)
TABLE_PREFIX = "oneview_"
