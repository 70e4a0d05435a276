"""Schema 7: the activity log (issue 13): who re-scored the stored cases, who saved a format.

Imports already record their user (imports.user_name); the other changes a person makes to
what everyone sees are recorded here, one row each, with the person's signed-in address (or
their login name when the dashboard runs without sign-in, and on the command line).

Revision ID: 0007
Revises: 0006
"""

from alembic import op
from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Text
from sqlalchemy.types import TypeDecorator

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


class _UtcDateTime(TypeDecorator):
    """A frozen copy of store.UtcDateTime's storage: integer seconds on SQLite, timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))


def upgrade() -> None:
    op.create_table(
        "activity",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", _UtcDateTime, nullable=False),
        Column("user_name", Text, nullable=False),
        Column("action", String(20), nullable=False),
        Column("detail", Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("activity")
