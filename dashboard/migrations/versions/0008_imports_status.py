"""Schema 8: an import is logged before it writes, so a killed one shows (issue 13).

Each import's row is committed as 'running' before the import's own transaction, naming the
process that runs it, and turns 'finished' in that transaction; a 'running' row whose process
has ended is an import that was interrupted (and stored nothing). Imports made before the
upgrade are 'finished': only finished imports left a row then.

Revision ID: 0008
Revises: 0007
"""

from alembic import op
from sqlalchemy import Column, String, Text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imports") as batch:
        batch.add_column(Column("status", String(12), nullable=False, server_default="finished"))
        batch.add_column(Column("process", Text, nullable=True))
