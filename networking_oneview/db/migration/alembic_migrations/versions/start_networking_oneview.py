"""start networking-oneview branch

Revision ID: start_networking_oneview
Revises: None
Create Date: 2026-05-04 00:00:00

The branch point: both the expand and the contract branch start here.
"""

# revision identifiers, used by Alembic.
revision = "start_networking_oneview"
down_revision = None


def upgrade():
    pass
