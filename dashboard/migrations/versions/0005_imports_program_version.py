"""Schema 5: which sla-dashboard version made each import (issue 11).

Imports made before the upgrade keep NULL: the version that made them is not known.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
from sqlalchemy import Column, Text

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode, as every revision that alters a table: a plain ALTER on both databases for
    # an added nullable column, a rebuilt table on SQLite where ALTER cannot do the change.
    with op.batch_alter_table("imports") as batch:
        batch.add_column(Column("program_version", Text, nullable=True))
