"""Schema 4, the baseline: the tables of release 0.1.0, the last made without migrations.

A frozen copy, never store.metadata: what the baseline means must not change when store.py
does. Instants are BIGINT seconds on SQLite and timestamptz on PostgreSQL, as
store.UtcDateTime stores them. A database that release wrote (settings.schema_version = '4',
no alembic_version table) is stamped here rather than created; an empty one is created here.

Revision ID: 0004
Revises: (none)
"""

from alembic import op
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

revision = "0004"
down_revision = None
branch_labels = None
depends_on = None

INSTANT = BigInteger().with_variant(DateTime(timezone=True), "postgresql")

schema_4 = MetaData()

Table(
    "imports",
    schema_4,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", Text, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("file_size", BigInteger, nullable=False),
    Column("format", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("started_at", INSTANT, nullable=False),
    Column("finished_at", INSTANT, nullable=False),
    Column("user_name", Text, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("policy_fingerprint", String(16), nullable=False),
    Column("notes", Text, nullable=False),
)

Table(
    "cases",
    schema_4,
    Column("source", Text, primary_key=True),
    Column("case_id", Text, primary_key=True),
    Column("customer", Text),
    Column("plan", Text),
    Column("severity", SmallInteger, nullable=False),
    Column("severity_label", Text, nullable=False),
    Column("subject", Text),
    Column("component", Text),
    Column("status", Text),
    Column("channel", Text),
    Column("dismissal_reason", String(40)),
    Column("created_at", INSTANT, nullable=False),
    Column("first_response_at", INSTANT),
    Column("first_response_source", Text),
    Column("response_recorded", Boolean, nullable=False),
    Column("resolved_at", INSTANT),
    Column("vendor_response_minutes", Float),
    Column("vendor_response_business_minutes", Float),
    Column("vendor_sla", Text),
    Column("content_hash", BigInteger, nullable=False),
    Column("first_import_id", Integer, nullable=False),
    Column("last_import_id", Integer, nullable=False),
    Column("created_local_date", Date, nullable=False),
    Column("created_local_week", Date, nullable=False),
    Column("created_local_month", String(7), nullable=False),
    Column("created_local_quarter", String(7), nullable=False),
    Column("resolved_local_date", Date),
    Column("target_seconds", Integer, nullable=False),
    Column("response_business_seconds", BigInteger),
    Column("response_deadline", INSTANT, nullable=False),
    Column("response_breach_at", INSTANT, nullable=False),
    Column("response_status", String(10)),
    Column("policy_fingerprint", String(16), nullable=False),
    Index(
        "ix_cases_by_day",
        "created_local_date",
        "severity",
        "customer",
        "channel",
        "plan",
        "dismissal_reason",
        "response_status",
        "response_business_seconds",
        "resolved_local_date",
    ),
    Index("ix_cases_unanswered", "response_status", "created_local_date"),
    Index("ix_cases_resolved_at", "resolved_at"),
)

Table(
    "case_counts",
    schema_4,
    Column("day", Date, nullable=False),
    Column("week", Date, nullable=False),
    Column("month", String(7), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("dismissal_reason", String(40)),
    Column("response_status", String(10)),
    Column("cases", Integer, nullable=False),
    Index("ix_case_counts_day", "day"),
)

Table(
    "case_moves",
    schema_4,
    Column("day", Date, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("opened", Integer, nullable=False),
    Column("closed", Integer, nullable=False),
    Index("ix_case_moves_day", "day"),
)

Table(
    "import_rejects",
    schema_4,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False, index=True),
    Column("row_number", Integer, nullable=False),
    Column("case_id", Text, nullable=False),
    Column("customer", Text),
    Column("reason", Text, nullable=False),
    Column("record", Text, nullable=False),
)

Table(
    "calendar_days",
    schema_4,
    Column("day", Date, primary_key=True),
    Column("week", Date, nullable=False),
    Column("month", String(7), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("is_working_day", Boolean, nullable=False),
    Column("closed_reason", Text),
    Column("day_end", INSTANT, nullable=False),
)

Table(
    "settings",
    schema_4,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)


def upgrade() -> None:
    # checkfirst=False: a table already there means a database this program did not write
    schema_4.create_all(op.get_bind(), checkfirst=False)
