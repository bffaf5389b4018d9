"""networking-oneview initial tables

Revision ID: ef8d450dd92e
Revises: start_networking_oneview
Create Date: 2026-05-04 00:00:00

Creates oneview_networks (OneView networks we created), oneview_port_connections (server-profile
connections we created) and oneview_pending_work (durable reconcile intents). No foreign keys to
Neutron's tables: these rows must outlive the Neutron objects until OneView is cleaned up.
"""

import sqlalchemy as sa
from alembic import op
from neutron.db.migration import cli

# revision identifiers, used by Alembic.
revision = "ef8d450dd92e"
down_revision = "start_networking_oneview"
branch_labels = (cli.EXPAND_BRANCH,)

TABLE_OPTIONS = {"mysql_engine": "InnoDB", "mysql_default_charset": "utf8mb4"}


def upgrade():
    op.create_table(
        "oneview_networks",
        sa.Column("segment_id", sa.String(36), nullable=False),
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.Column("physnet", sa.String(64), nullable=False),
        sa.Column("network_type", sa.String(16), nullable=False),
        sa.Column("segmentation_id", sa.Integer(), nullable=True),
        sa.Column("oneview_uri", sa.String(255), nullable=False),
        sa.Column("oneview_name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("segment_id"),
        sa.UniqueConstraint("oneview_uri", name="uniq_oneview_networks0oneview_uri"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_oneview_networks_network_id", "oneview_networks", ["network_id"])

    op.create_table(
        "oneview_port_connections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.Column("server_hardware_uri", sa.String(255), nullable=False),
        sa.Column("server_profile_uri", sa.String(255), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("connection_name", sa.String(63), nullable=False),
        sa.Column("oneview_port", sa.String(32), nullable=False),
        sa.Column("network_uri", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        # Also the index for lookups by server profile.
        sa.UniqueConstraint(
            "server_profile_uri",
            "connection_id",
            name="uniq_oneview_port_connections0server_profile_uri0connection_id",
        ),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_oneview_port_connections_port_id", "oneview_port_connections", ["port_id"])

    op.create_table(
        "oneview_pending_work",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("lease_holder", sa.String(64), nullable=True),
        sa.Column("lease_expires", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
        **TABLE_OPTIONS,
    )
    op.create_index(
        "ix_oneview_pending_work_kind_object_id", "oneview_pending_work", ["kind", "object_id"]
    )
    op.create_index("ix_oneview_pending_work_not_before", "oneview_pending_work", ["not_before"])
