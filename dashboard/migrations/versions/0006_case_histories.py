"""Schema 6: case histories (issue 12): stored events, reopen and event counts, resolution time
(and an index to read resolution times and reopens of a period from).

Resolved cases stored before the upgrade have no resolution figures yet: they count as stale
(importing.stale_cases), so every command's note asks for `sla-dashboard recompute`, which
computes them from the stored creation and resolution times. The policy the stored figures
were computed under (settings) is marked as older than schema 6, so the pages say so too and
offer to re-score; no case's stored value changes here.

Revision ID: 0006
Revises: 0005
"""

from alembic import op
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    SmallInteger,
    String,
    Text,
    column,
    table,
)
from sqlalchemy.types import TypeDecorator

revision = "0006"
down_revision = "0005"
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
    settings = table("settings", column("key", String(100)), column("value", Text))
    op.execute(
        settings.update()
        .where(settings.c.key == "policy_fingerprint")
        .values(value="before-schema-6")
    )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(Column("reopen_count", Integer, nullable=True))
        batch.add_column(Column("event_count", Integer, nullable=True))
        batch.add_column(Column("resolution_business_seconds", BigInteger, nullable=True))
        batch.add_column(Column("paused_business_seconds", BigInteger, nullable=True))
        batch.add_column(Column("resolution_target_seconds", Integer, nullable=True))
        batch.add_column(Column("resolution_status", String(10), nullable=True))
    op.create_index(
        "ix_cases_resolution",
        "cases",
        ["created_local_date", "severity", "customer", "channel", "plan", "resolved_at",
         "resolution_business_seconds", "event_count", "reopen_count"],
    )  # fmt: skip
    op.create_table(
        "case_events",
        Column("source", Text, primary_key=True),
        Column("case_id", Text, primary_key=True),
        Column("event_hash", BigInteger, primary_key=True),
        Column("at", _UtcDateTime, nullable=False),
        Column("sequence", Float),
        Column("import_id", Integer, nullable=False),
        Column("row_number", Integer, nullable=False),
        Column("activity", Text),
        Column("status", Text),
        Column("severity", SmallInteger),
        Column("severity_label", Text),
        Column("responds", Boolean, nullable=False),
        Column("resolves", Boolean, nullable=False),
        Column("reopens", Boolean, nullable=False),
        Column("resolved_state", Boolean, nullable=False),
        Column("pause", SmallInteger, nullable=False),
        Column("opened_at", _UtcDateTime),
        Column("resolved_at", _UtcDateTime),
        Column("dismissal_reason", String(40)),
        Column("customer", Text),
        Column("plan", Text),
        Column("channel", Text),
        Column("component", Text),
        Column("subject", Text),
        Column("vendor_sla", Text),
    )
