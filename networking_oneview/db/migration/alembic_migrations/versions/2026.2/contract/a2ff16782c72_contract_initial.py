"""contract initial

Revision ID: a2ff16782c72
Revises: start_networking_oneview
Create Date: 2026-05-04 00:00:00

Start of the contract branch (destructive changes that need neutron-server stopped). Empty.
"""

from neutron.db.migration import cli

# revision identifiers, used by Alembic.
revision = "a2ff16782c72"
down_revision = "start_networking_oneview"
branch_labels = (cli.CONTRACT_BRANCH,)


def upgrade():
    pass
