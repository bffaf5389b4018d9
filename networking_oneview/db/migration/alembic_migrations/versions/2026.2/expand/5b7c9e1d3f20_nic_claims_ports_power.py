"""NIC claims, bare-metal port view, power restores

Revision ID: 5b7c9e1d3f20
Revises: ef8d450dd92e
Create Date: 2026-11-22 00:00:00

Ownership of server-profile connections moves from one row per connection id to one claim per
(server profile, NIC) that remembers the connection we took over. Existing rows become claims on
connections we added (they had no original). The old table is dropped by the contract branch.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b7c9e1d3f20"
down_revision = "ef8d450dd92e"

TABLE_OPTIONS = {"mysql_engine": "InnoDB", "mysql_default_charset": "utf8mb4"}


def upgrade():
    claims = op.create_table(
        "oneview_nic_claims",
        sa.Column("server_profile_uri", sa.String(255), nullable=False),
        sa.Column("nic", sa.String(32), nullable=False),
        sa.Column("server_hardware_uri", sa.String(255), nullable=False),
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.Column("connection_name", sa.String(63), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("original", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("server_profile_uri", "nic"),
        **TABLE_OPTIONS,
    )
    op.create_index("ix_oneview_nic_claims_port_id", "oneview_nic_claims", ["port_id"])
    op.create_index(
        "ix_oneview_nic_claims_server_hardware_uri", "oneview_nic_claims", ["server_hardware_uri"]
    )
    op.create_table(
        "oneview_ports",
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.Column("server_hardware_uri", sa.String(255), nullable=True),
        sa.Column("nics", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("port_id"),
        **TABLE_OPTIONS,
    )
    op.create_index(
        "ix_oneview_ports_server_hardware_uri", "oneview_ports", ["server_hardware_uri"]
    )
    op.create_table(
        "oneview_power_restores",
        sa.Column("server_hardware_uri", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("server_hardware_uri"),
        **TABLE_OPTIONS,
    )
    old = sa.table(
        "oneview_port_connections",
        *(
            sa.column(name)
            for name in (
                "port_id",
                "server_hardware_uri",
                "server_profile_uri",
                "connection_id",
                "connection_name",
                "oneview_port",
                "created_at",
                "updated_at",
            )
        ),
    )
    op.execute(
        claims.insert().from_select(
            [
                "server_profile_uri",
                "nic",
                "server_hardware_uri",
                "port_id",
                "connection_name",
                "connection_id",
                "created_at",
                "updated_at",
            ],
            sa.select(
                old.c.server_profile_uri,
                old.c.oneview_port,
                old.c.server_hardware_uri,
                old.c.port_id,
                old.c.connection_name,
                old.c.connection_id,
                old.c.created_at,
                old.c.updated_at,
            ),
        )
    )
