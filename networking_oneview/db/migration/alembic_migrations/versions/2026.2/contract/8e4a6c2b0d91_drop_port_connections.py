"""drop oneview_port_connections

Revision ID: 8e4a6c2b0d91
Revises: a2ff16782c72
Create Date: 2026-11-22 00:00:00

Ownership now lives in oneview_nic_claims (copied there by expand revision 5b7c9e1d3f20).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8e4a6c2b0d91"
down_revision = "a2ff16782c72"
depends_on = ("5b7c9e1d3f20",)


def upgrade():
    op.drop_table("oneview_port_connections")
