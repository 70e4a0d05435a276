"""Schema 9: each import records the zone its timestamps without an offset were read in
(issue 14). A helpdesk that exports in one zone often counts its hours there: reconciliation
tries that zone as a cause. Imports made before the upgrade record none (nothing is implied).

Revision ID: 0009
Revises: 0008
"""

from alembic import op
from sqlalchemy import Column, Text

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.add_column(Column("time_zone", Text, nullable=True))
