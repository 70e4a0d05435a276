"""The database: engine factory, schema, and the few statements that write to it.

SQLite (a file under data/, the embedded default) and PostgreSQL (`postgresql+psycopg://`, the
team deployment) run the same code. Timestamps are stored in UTC (timestamptz on PostgreSQL,
naive UTC text on SQLite, which has no zones) and come back as aware UTC datetimes. Grouping by
local day, week, month or quarter uses columns computed at import in the calendar's zone,
because SQLite cannot convert zones and the two databases bucket dates differently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.types import TypeDecorator

from dashboard import __version__
from dashboard.errors import DashboardError, DashboardWarning

DEFAULT_SQLITE_PATH = Path(__file__).resolve().parent.parent / "data" / "sla_dashboard.sqlite"
DATABASE_URL_ENV = "SLA_DATABASE_URL"
# The schema is versioned by Alembic revisions under dashboard/migrations/versions/, one file
# per version, named for it ("0005"). The head is also a constant here so that opening a current
# database compares two strings instead of loading Alembic (tests/test_migrations.py checks
# that they agree).
SCHEMA_VERSION = 13
BASELINE_VERSION = 4  # release 0.1.0's schema, the last made without migrations


def revision(version: int) -> str:
    """The Alembic revision of a schema version: 5 -> '0005'."""
    return f"{version:04d}"


HEAD_REVISION = revision(SCHEMA_VERSION)
_ALEMBIC_VERSION = "alembic_version"  # Alembic's own table: the revision a database is at


class DatabaseError(DashboardError):
    """The database URL is unusable or the database cannot be reached."""


class UtcDateTime(TypeDecorator):
    """An instant in UTC: aware datetimes in, aware UTC datetimes out, on every database.

    PostgreSQL stores timestamptz. SQLite, which has no time type, stores whole UTC seconds
    since 1970 as an integer: exact, compared as numbers (text compares only if every value
    is written alike), and a third of the cost of text in a million-row import. Instants are
    whole seconds throughout (fractions are dropped when exports are read).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given for a UTC column")
        value = value.astimezone(dt.UTC)
        return math.floor(value.timestamp()) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, int | float):
            return dt.datetime.fromtimestamp(int(value), dt.UTC)
        if isinstance(value, str):  # a value written by hand as text
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# Text from exports and users (ids, sources, channels) is unbounded Text: PostgreSQL enforces
# VARCHAR lengths that SQLite ignores, so a bounded column would accept a file on one database
# and refuse it on the other. Bounded types are kept for values the program itself writes.
metadata = MetaData()

imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", Text, nullable=False),
    Column("checksum", String(64), nullable=False),  # sha256 of the file's bytes
    Column("file_size", BigInteger, nullable=False),
    Column("format", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("description", Text, nullable=False),  # how the file was read
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=False),
    Column("user_name", Text, nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("policy_fingerprint", String(16), nullable=False),
    Column("notes", Text, nullable=False),  # what was taken from where, one line each
    Column("program_version", Text),  # the sla-dashboard that imported; null before schema 5
    # 'running' from before the import's transaction (committed on its own), 'finished' in
    # it, 'interrupted' once a running import's process is found gone (dashboard/import_log.py)
    Column("status", String(12), nullable=False, server_default="finished"),
    Column("process", Text),  # while running: how to tell whether its process is alive
    # the zone timestamps without an offset were read in (null before schema 9): the zone the
    # export implies, tried by reconciliation (dashboard/reconcile.py)
    Column("time_zone", Text),
)

# The cases ix_cases_unanswered holds (schema 13: dashboard/migrations/versions/0013_*).
BREACHED_OR_UNANSWERED = "response_status is null or response_status = 'breached'"
UNRESOLVED = "resolved_at is null"  # the cases ix_cases_open holds

cases = Table(
    "cases",
    metadata,
    # -- as imported: never rewritten by a recompute ---------------------------------------
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
    Column("created_at", UtcDateTime, nullable=False),
    Column("first_response_at", UtcDateTime),
    Column("first_response_source", Text),  # export (a column) or derived (a duration)
    Column("response_recorded", Boolean, nullable=False),  # False: the export has no responses
    Column("resolved_at", UtcDateTime),
    Column("vendor_response_minutes", Float),
    Column("vendor_response_business_minutes", Float),
    Column("vendor_sla", Text),
    # From an event log's history (null for one row per case): how often the case was
    # reopened, and how many distinct events it has (table case_events).
    Column("reopen_count", Integer),
    Column("event_count", Integer),
    Column("content_hash", BigInteger, nullable=False),
    # The imports that first stored and last changed the case. Not declared as foreign keys:
    # they are written in the same transaction as their imports row, and checking two keys
    # per row was 10 % of a million-row import.
    Column("first_import_id", Integer, nullable=False),
    Column("last_import_id", Integer, nullable=False),
    # -- computed under the policy named by policy_fingerprint: `recompute` refreshes them ---
    Column("created_local_date", Date, nullable=False),
    Column("created_local_week", Date, nullable=False),  # the Monday starting the ISO week
    Column("created_local_month", String(7), nullable=False),  # YYYY-MM
    Column("created_local_quarter", String(7), nullable=False),  # YYYY-Qn
    Column("resolved_local_date", Date),
    Column("target_seconds", Integer, nullable=False),
    Column("response_business_seconds", BigInteger),  # null when unanswered or invalid
    Column("response_deadline", UtcDateTime, nullable=False),
    Column("response_breach_at", UtcDateTime, nullable=False),  # see sla.SlaFigures
    Column("response_status", String(10)),  # met, breached, invalid; null while unanswered
    # Business time from creation to resolution minus pauses; null while open (or when the
    # resolution precedes creation). Judged met/breached only against a resolution target.
    Column("resolution_business_seconds", BigInteger),
    Column("paused_business_seconds", BigInteger),
    Column("resolution_target_seconds", Integer),  # null: the severity has no such target
    Column("resolution_status", String(10)),
    Column("policy_fingerprint", String(16), nullable=False),
    # Everything the summaries and the per-case reads of a period need, so that they read
    # this index alone: the summaries and the time lists group in its order without sorting
    # (dashboard/summaries.py: a million cases in about a second, against four reading the
    # table); resolutions after an as-of instant and reopens are filtered here too.
    Index(
        "ix_cases_by_day",
        "created_local_date",
        "severity",
        "customer",
        "channel",
        "plan",
        "dismissal_reason",
        "response_status",
        "source",  # after the status: the summaries group by these in this order, no sort
        "response_business_seconds",
        "resolved_local_date",
        "resolution_business_seconds",
        "resolved_at",
        "event_count",
        "reopen_count",
    ),
    # Breached and unanswered cases of a period (the breaches, judged live as of any instant),
    # with what the filters and the breaches' order need: a query filters and sorts here and
    # reads the table for the cases it shows only (queries/breaches.sql: 57,000 breached
    # cases at 1M, 5,000 shown; 0.18 -> 0.11 s on PostgreSQL, 0.09 -> 0.04 s on SQLite).
    # Those cases only (schema 13): no query reads a met one here, and leaving them out makes
    # the index a tenth of its size, built in 0.4 s instead of 1.5 s at 1M cases. Both
    # databases use it for a query that asks for either status (its WHERE implies this one).
    Index(
        "ix_cases_unanswered",
        "response_status",
        "created_local_date",
        "severity",
        "response_deadline",
        "response_breach_at",
        "customer",
        "channel",
        "plan",
        "source",
        "case_id",
        # what attainment.sql's live judging of the unanswered cases reads besides: it then
        # reads this index alone (schema 13)
        "dismissal_reason",
        "created_local_week",
        "created_local_month",
        "created_local_quarter",
        sqlite_where=text(BREACHED_OR_UNANSWERED),
        postgresql_where=text(BREACHED_OR_UNANSWERED),
    ),
    # Open cases: unresolved ones, and ones resolved after an instant.
    Index("ix_cases_resolved_at", "resolved_at"),
    # The unresolved cases alone, with what counting them by severity, created day or
    # customer under the filters and listing the unanswered ones need (schema 13): at 10M
    # cases 270,000 of them, whose table pages PostgreSQL visited one by one (1.35 s a count,
    # 1.3 s the at-risk queue). queries/_open_cases_at.sql selects exactly these columns,
    # so that the queries reading the open cases through it read this index alone: a column
    # added there belongs here too.
    Index(
        "ix_cases_open",
        "severity",
        "created_local_date",
        "created_at",
        "customer",
        "channel",
        "plan",
        "source",
        "response_recorded",
        "first_response_at",
        "response_deadline",
        "response_breach_at",
        "target_seconds",
        "case_id",
        "subject",
        sqlite_where=text(UNRESOLVED),
        postgresql_where=text(UNRESOLVED),
    ),
)

# An event log's events, one row per distinct event of a case (dashboard/importer/histories):
# kept so that each case can be derived again under a new policy (`recompute`) and so that a
# later export of the same cases adds its new events to the history instead of replacing it.
case_events = Table(
    "case_events",
    metadata,
    Column("source", Text, primary_key=True),
    Column("case_id", Text, primary_key=True),
    Column("event_hash", BigInteger, primary_key=True),  # what the event says: stored once
    Column("at", UtcDateTime, nullable=False),
    Column("sequence", Float),
    Column("import_id", Integer, nullable=False),  # with row_number: file order, for ties
    Column("row_number", Integer, nullable=False),
    Column("activity", Text),
    Column("status", Text),
    Column("severity", SmallInteger),  # null: the event does not change it
    Column("severity_label", Text),
    Column("responds", Boolean, nullable=False),
    Column("resolves", Boolean, nullable=False),
    Column("reopens", Boolean, nullable=False),
    Column("resolved_state", Boolean, nullable=False),
    Column("pause", SmallInteger, nullable=False),  # 1 pauses, -1 resumes, 0 neither
    Column("opened_at", UtcDateTime),
    Column("resolved_at", UtcDateTime),
    Column("dismissal_reason", String(40)),
    Column("customer", Text),
    Column("plan", Text),
    Column("channel", Text),
    Column("component", Text),
    Column("subject", Text),
    Column("vendor_sla", Text),
)

# Counts of cases by the day they were created and every dimension queries filter or group on,
# rebuilt in the same transaction as every import and recompute (dashboard/summaries.py).
# Queries over a period read a few thousand rows here instead of every case: attainment of
# answered cases, dismissals, channels, cases opened per day.
case_counts = Table(
    "case_counts",
    metadata,
    Column("day", Date, nullable=False),
    Column("week", Date, nullable=False),
    Column("month", String(7), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("dismissal_reason", String(40)),
    Column("response_status", String(10)),  # null: unanswered (queries judge those live)
    Column("cases", Integer, nullable=False),
    Column("source", Text),  # null only between schema 10's upgrade and its refresh
    # of those cases, how many have a business response time, and a resolution time (the
    # lengths of their lists in time_lists); null only during schema 11's upgrade
    Column("answered", Integer),
    Column("resolved", Integer),
    Index("ix_case_counts_day", "day"),
)

# Cases opened and closed per local day (closed: resolved, or on the creation day when a
# resolution was recorded before it), for backlog and opened/resolved figures: a few tens of
# thousands of rows at 1M cases, where the backlog of a quarter would otherwise read them all.
case_moves = Table(
    "case_moves",
    metadata,
    Column("day", Date, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("opened", Integer, nullable=False),
    Column("closed", Integer, nullable=False),
    Column("source", Text),
    Index("ix_case_moves_day", "day"),
)

# Every case's business response and resolution time, in lists per key of case_counts (the
# created day and every dimension queries filter on), rebuilt with the other summaries
# (dashboard/time_lists.py). Exact medians and percentiles need each case's time: read here,
# a period's times are a few thousand lists instead of a million rows through the driver.
time_lists = Table(
    "time_lists",
    metadata,
    Column("day", Date, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("dismissal_reason", String(40)),
    Column("response_status", String(10)),
    Column("source", Text),
    # little-endian int64s, in no order: case_counts' answered and resolved say how many
    Column("response_seconds", LargeBinary, nullable=False),
    Column("resolution_seconds", LargeBinary, nullable=False),  # whenever resolved
    Index("ix_time_lists_day", "day"),
)

# Our stored first-response verdict beside the helpdesk's, counted per created day and every
# dimension queries filter on, for the Reconciliation page (queries/reconcile_counts.sql):
# every case but the unanswered ones with responses recorded, which are judged live.
verdict_counts = Table(
    "verdict_counts",
    metadata,
    Column("day", Date, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("source", Text),
    Column("response_status", String(10)),
    Column("helpdesk_verdict", String(10)),  # met, breached; null: the helpdesk gives none
    Column("helpdesk_basis", String(20), nullable=False),  # stated, business_figure or ''
    Column("dismissed", SmallInteger, nullable=False),  # 1: dismissed as out of scope
    Column("response_recorded", Boolean, nullable=False),
    Column("cases", Integer, nullable=False),
    Index("ix_verdict_counts_day", "day"),
)

# The same summaries rolled up by month, for the whole months of a period: a year of a
# dimension is 12 rows instead of 365 (at 1M cases, 10,000 rows of case_counts instead of
# 97,000, and 1,400 time lists instead of 93,000). Queries read a period's whole months here
# and the days around them from the daily tables (queries/_*_of_period.sql, bound by
# queries.whole_months). `day` is the month's earliest day with cases: any day of a month
# places it in a period of whole months. Rebuilt with the daily tables (dashboard/summaries.py).
case_counts_by_month = Table(
    "case_counts_by_month",
    metadata,
    Column("day", Date, nullable=False),
    Column("month", String(7), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("dismissal_reason", String(40)),
    Column("response_status", String(10)),
    Column("source", Text),
    Column("cases", Integer, nullable=False),
    Column("answered", Integer, nullable=False),
    Column("resolved", Integer, nullable=False),
    Index("ix_case_counts_by_month_day", "day"),
)

verdict_counts_by_month = Table(
    "verdict_counts_by_month",
    metadata,
    Column("day", Date, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("source", Text),
    Column("response_status", String(10)),
    Column("helpdesk_verdict", String(10)),
    Column("helpdesk_basis", String(20), nullable=False),
    Column("dismissed", SmallInteger, nullable=False),
    Column("response_recorded", Boolean, nullable=False),
    Column("cases", Integer, nullable=False),
    Index("ix_verdict_counts_by_month_day", "day"),
)

# Keyed by what the filters choose only (no dismissal or verdict: no query of the times
# narrows by them), hence fewer and longer lists than time_lists'.
time_lists_by_month = Table(
    "time_lists_by_month",
    metadata,
    Column("day", Date, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("customer", Text),
    Column("channel", Text),
    Column("plan", Text),
    Column("source", Text),
    Column("response_seconds", LargeBinary, nullable=False),
    Column("resolution_seconds", LargeBinary, nullable=False),
    Index("ix_time_lists_by_month_day", "day"),
)

# The cases whose stored first-response verdict differs from the helpdesk's (both met or
# breached, not dismissed), by created day, with what the Reconciliation page shows and looks
# for a cause in: it reads these rows alone (28,000 of 1M cases) instead of judging every
# case of its period, or joining back to them (reconcile_disagreements.sql).
DISAGREEMENT_COLUMNS = (
    "source", "case_id", "customer", "channel", "plan", "severity", "created_at",
    "first_response_at", "resolved_at", "response_recorded", "dismissal_reason",
    "target_seconds", "response_business_seconds", "resolution_business_seconds",
    "response_status", "vendor_sla", "vendor_response_minutes",
    "vendor_response_business_minutes",
)  # fmt: skip
verdict_disagreements = Table(
    "verdict_disagreements",
    metadata,
    Column("day", Date, nullable=False),
    *(Column(name, cases.c[name].type) for name in DISAGREEMENT_COLUMNS),
    Index("ix_verdict_disagreements_day", "day"),
)

SUMMARIES = (case_counts, case_moves, verdict_counts, time_lists, case_counts_by_month,
             verdict_counts_by_month, time_lists_by_month, verdict_disagreements)  # fmt: skip

import_rejects = Table(
    "import_rejects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", Integer, ForeignKey("imports.id"), nullable=False, index=True),
    Column("row_number", Integer, nullable=False),
    Column("case_id", Text, nullable=False),
    Column("customer", Text),
    Column("reason", Text, nullable=False),
    Column("record", Text, nullable=False),  # the original fields, as JSON
)

calendar_days = Table(
    "calendar_days",
    metadata,
    # One row per local day of the policy's calendar over the years the data spans: periods
    # for grouping, and a series of days for backlog counts, without dialect-specific SQL.
    Column("day", Date, primary_key=True),
    Column("week", Date, nullable=False),
    Column("month", String(7), nullable=False),
    Column("quarter", String(7), nullable=False),
    Column("is_working_day", Boolean, nullable=False),
    Column("closed_reason", Text),  # holiday or closure name, weekends left empty
    Column("day_end", UtcDateTime, nullable=False),  # the instant the local day ends
)

# Who changed what everyone sees, besides imports (imports.user_name): re-scores and saved
# formats, with the signed-in address or the login name (access.py).
activity = Table(
    "activity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("user_name", Text, nullable=False),
    Column("action", String(20), nullable=False),  # recompute, save_format
    Column("detail", Text, nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)


def database_url(explicit: str | None = None) -> str:
    """--db, else $SLA_DATABASE_URL, else the SQLite file under data/."""
    url = explicit or os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{DEFAULT_SQLITE_PATH}"
    if url.startswith("postgres://"):  # the Heroku-style spelling
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {_redact(url)!r}") from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r} in {_redact(url)!r} "
            "(use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB)"
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        if Path(parsed.database).resolve() == DEFAULT_SQLITE_PATH.resolve():
            folder.mkdir(parents=True, exist_ok=True)  # the embedded default makes its own home
        elif not folder.is_dir():
            raise DatabaseError(f"no folder {folder} for the database file {parsed.database}")
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(f"no driver for {_redact(url)!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        event.listen(engine, "connect", _postgres_session)
        event.listen(engine, "before_cursor_execute", _binary_results)
    return engine


def open_database(url: str | None = None) -> Engine:
    """An engine on a database at this program's schema: created if empty, upgraded in place
    if an older release wrote it. The one place the schema is written; queries never do."""
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextlib.contextmanager
def opened(url: str | None = None) -> Iterator[Engine]:
    """An opened database for one command: its connections are closed when the command ends."""
    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the driver, open transactions (so BEGIN below is ours), wait for a
    # writer instead of failing at once, write-ahead log so readers never block on an import.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # The journal mode is kept in the file: switching it writes to it. Only a new file or one
    # of ours is switched; another application's database is refused unchanged (open_database).
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        tables = cursor.execute("select name from sqlite_master where type = 'table'")
        if not foreign_tables([row[0] for row in tables]):
            # Only a file with no page yet takes a page size (WAL fixes it from then on).
            cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")
            cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


BUSY_TIMEOUT_MS = 30_000  # SQLite: how long a statement waits for a lock before "locked"
# A new SQLite database's page size: 16 KiB, not SQLite's 4. A million-case import writes
# its half-GB a quarter as many pages at a time, into the log and again at its checkpoint,
# and builds its indexes from a quarter as many pages: 17.6 -> 15.6 s (import_prepared,
# alternated runs, 2026-12-07). An existing database keeps its size (changing it would mean
# leaving WAL and a VACUUM: a rewrite of the whole file, while readers wait).
PAGE_SIZE = 16_384


def foreign_tables(names: list[str]) -> list[str]:
    """Of an SQLite database's tables, those of another application (sorted); [] for an empty
    database or one of ours. Ours has our imports and cases tables whatever its revision (a
    `settings` table, or Alembic's stamp, could be anybody's); SQLite's own tables (sqlite_*)
    are nobody's."""
    if {imports.name, cases.name} <= set(names):
        return []
    return sorted(name for name in names if not name.startswith("sqlite_"))


def _postgres_session(dbapi_connection, _record) -> None:
    # No JIT: the dashboard's queries take tens of milliseconds, and PostgreSQL's cost
    # estimate sends some of them (a lookup per open case) to a compiler that alone takes
    # over 100 ms. A session setting, so the server's configuration is left alone.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("SET jit = off")
    finally:
        dbapi_connection.autocommit = autocommit


BINARY_RESULTS = "binary_results"  # an execution option: PostgreSQL sends its rows binary


def _binary_results(connection, cursor, _statement, _parameters, context, _many) -> None:
    # psycopg reads results as text by default: a list of times (bytea) then crosses the
    # wire in hex, twice its size, and is decoded again (a year's lists at 1M cases: 39 ms
    # against 16 binary). The values come back as the same Python objects either way.
    if context is not None and context.execution_options.get(BINARY_RESULTS):
        cursor.format = 1  # psycopg.pq.Format.BINARY, without importing the driver here


def _sqlite_begin(connection) -> None:
    # A writer takes the write lock at BEGIN, so two imports queue up instead of failing
    # half-way; readers begin deferred and, with WAL, never wait for a writer.
    if not connection.get_execution_options().get(_WRITER, False):
        connection.exec_driver_sql("BEGIN")
        return
    _sqlite_write_lock(connection)
    # A large import rewrites index pages over and over: a 128 MB page cache, and a second
    # thread for sorts larger than it (sorting_on_two_cores makes those that build indexes
    # and summaries larger). (256 MB was no quicker at 1M cases, and its pages and the sorts'
    # came on top of the cases held: the import's peak once validation's was lowered,
    # issue 16.)
    connection.exec_driver_sql(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
    connection.exec_driver_sql("PRAGMA threads=2")


WRITER_CACHE_KIB = 128 * 1024  # an SQLite writer's page cache


def _sqlite_write_lock(connection) -> None:
    """BEGIN IMMEDIATE: at once, or after saying so, once another writer has finished.

    SQLite's own wait (the busy timeout) is silent and was 30 s, which one large import
    outlasts: four imports started together lost the last ones (issue 13). Waiting as long as
    on PostgreSQL, after a message, they all land, one after the other.
    """
    try:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={_QUIET_WAIT_MS}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
        _say_waiting()
        connection.exec_driver_sql(f"PRAGMA busy_timeout={WAIT_FOR_WRITER_MS}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            raise _held_too_long() from None
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


_QUIET_WAIT_MS = 1_000  # SQLite: a writer busy for less is waited for without a word

# SQLite's sorter keeps a sort in memory up to the page cache's size, and only a sort larger
# than that is cut into runs that `PRAGMA threads` sorts and merges on a second core. With
# the writer's 128 MB cache every sort of a million cases (building an index, the summaries'
# GROUP BYs) ran on one core; with runs of 16 MB the two cores share it: building
# ix_cases_by_day and refreshing case_moves and verdict_counts at 1M cases took 4.4 s
# instead of 5.5 (three alternated runs, issue 16). Smaller runs were no quicker.
SORT_RUN_KIB = 16 * 1024


@contextlib.contextmanager
def sorting_on_two_cores(connection: Connection) -> Iterator[None]:
    """Large sorts inside this block use a second core (SQLite; PostgreSQL plans its own).

    The page cache shrinks to the sorter's run size meanwhile and is restored after, but
    only when the database is larger than the cache (its pages are read again from the
    files either way). A database the cache holds whole keeps its cache: shrinking it would
    send SQLite back to the files, and a 200,000-case import (115 MB) was 1-1.5 s slower
    that way (`make bench-compare`, medians of five alternated runs).
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    pragma = connection.exec_driver_sql
    before = int(pragma("PRAGMA cache_size").scalar_one())  # pages, or -KiB when negative
    page = int(pragma("PRAGMA page_size").scalar_one())
    cache_bytes = -before * 1024 if before < 0 else before * page
    database_bytes = int(pragma("PRAGMA page_count").scalar_one()) * page
    if database_bytes <= cache_bytes or cache_bytes <= SORT_RUN_KIB * 1024:
        yield
        return
    pragma(f"PRAGMA cache_size=-{SORT_RUN_KIB}")
    try:
        yield
    finally:
        pragma(f"PRAGMA cache_size={before}")


_WRITER = "sla_dashboard_writer"
# A writer cannot tell what the one holding the lock is doing: name every kind.
ANOTHER_WRITER = "another sla-dashboard (an import, a re-score or a schema upgrade)"
# PostgreSQL's advisory lock that serialises writers (imports, recomputes): any fixed number,
# paired with the schema the tables live in, since an advisory lock belongs to the whole
# database: two deployments (or test runs) in two schemas of one database have two sets of
# tables and need not wait for each other.
_WRITER_LOCK_KEY = 0x534C4144
_WRITER_LOCK = "(:key, hashtext(coalesce(current_schema(), '')))"


@contextlib.contextmanager
def writing(engine: Engine, *, take_turns: bool = True) -> Iterator[Connection]:
    """One write transaction: it commits whole or rolls back whole; writers take turns.

    A writer that finds another at work says so and waits (up to WAIT_FOR_WRITER_MS, on
    both databases), then gives up with a message that says why. `take_turns=False` is for a
    short write beside the writers (a line of the import log): PostgreSQL lets it through at
    once; SQLite, which has one write lock, still waits for it.
    """
    with engine.connect() as connection:
        connection = connection.execution_options(**{_WRITER: True})
        transaction = connection.begin()  # SQLite: BEGIN IMMEDIATE, the write lock
        with transaction:
            if engine.dialect.name == "postgresql" and take_turns:
                _postgres_writer_lock(connection)
            yield connection


WAIT_FOR_WRITER_MS = 15 * 60_000  # how long a writer waits for another to finish


def _say_waiting() -> None:
    warnings.warn(WaitingWarning(f"{ANOTHER_WRITER} is writing to the database: waiting for "
                                 "it to finish"), stacklevel=2)  # fmt: skip


def _held_too_long() -> DatabaseError:
    minutes, rest = divmod(WAIT_FOR_WRITER_MS, 60_000)
    waited = f"{minutes} min" if not rest else f"{WAIT_FOR_WRITER_MS / 1000:g} s"
    return DatabaseError(
        f"{ANOTHER_WRITER} held the database for {waited}; try again when it has finished"
    )


def _postgres_writer_lock(connection: Connection) -> None:
    key = {"key": _WRITER_LOCK_KEY}
    if connection.execute(
        text(f"select pg_try_advisory_xact_lock{_WRITER_LOCK}"), key
    ).scalar_one():
        return
    _say_waiting()
    connection.execute(text(f"set local lock_timeout = '{int(WAIT_FOR_WRITER_MS)}ms'"))
    try:
        connection.execute(text(f"select pg_advisory_xact_lock{_WRITER_LOCK}"), key)
    except OperationalError as exc:
        if "lock timeout" not in str(exc):
            raise
        raise _held_too_long() from None


class WaitingWarning(DashboardWarning):
    """A writer waits for another one."""


LARGE_WRITE = 200_000  # rows: past this, planner statistics are refreshed after the commit


class StatisticsWarning(DashboardWarning):
    """Planner statistics could not be refreshed after a write that did land."""


def refresh_statistics(engine: Engine) -> None:
    """Fresh planner statistics after a large write, outside its transaction.

    Without them PostgreSQL scans the whole table for the few open cases; and only VACUUM
    marks pages all-visible, which the covering indexes need for index-only scans (the
    response times of a quarter: 70 ms instead of 800). Autovacuum would catch up, minutes
    later. VACUUM cannot run in a transaction, hence autocommit; it blocks no reader or writer.
    The write is committed by then: a failure here is a warning, never a failed import.
    """
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in (cases, *SUMMARIES):
                    connection.exec_driver_sql(f"VACUUM (ANALYZE) {table.name}")
        else:
            with engine.connect() as connection:
                # Sampled statistics (SQLite 3.32+; ignored before): the planner needs the
                # shape, not an exact count, and a full ANALYZE reads every index.
                connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
    except SQLAlchemyError as exc:
        warnings.warn(
            f"the data is saved, but planner statistics were not refreshed "
            f"({_first_line(exc)}): queries may be slow until the database does it itself",
            StatisticsWarning,
            stacklevel=2,
        )


def upgrade_schema(engine: Engine) -> None:
    """Bring the database to this program's schema: create it when empty, upgrade it in place
    when an older release wrote it (idempotent). `open_database` calls it; queries never do.

    A database written by a newer release is refused before anything is written to it.
    """
    for attempt in range(_LOCKED_RETRIES + 1):
        try:
            _upgrade_schema(engine)
            return
        except DatabaseError:
            raise
        except Exception as exc:
            # A new SQLite file that two processes open at once can answer "database is
            # locked" at once, whatever the busy timeout (while the other converts it to WAL):
            # try again for a while rather than fail a first import that would have waited.
            if _locked(engine, exc) and attempt < _LOCKED_RETRIES:
                time.sleep(_LOCKED_PAUSE)
                continue
            if not_a_database(engine, exc):
                raise DatabaseError(not_sqlite_message(str(engine.url), exc)) from None
            raise DatabaseError(
                f"cannot use the database {_redact(str(engine.url))!r}: {_first_line(exc)}"
            ) from exc


_LOCKED_RETRIES, _LOCKED_PAUSE = 120, 0.25  # seconds: as long as the busy timeout, 30 s


def _locked(engine: Engine, exc: Exception) -> bool:
    return engine.dialect.name == "sqlite" and "database is locked" in str(exc)


# What SQLite says of a file that is not a database, or a damaged one.
_NOT_SQLITE = ("file is not a database", "database disk image is malformed", "file is encrypted")


def not_a_database(engine: Engine | None, exc: BaseException) -> bool:
    """SQLite's answer when the file named is not an SQLite database, or is damaged (any
    engine: the words are SQLite's own)."""
    if engine is not None and engine.dialect.name != "sqlite":
        return False
    return any(words in str(exc) for words in _NOT_SQLITE)


def not_sqlite_message(url: str, exc: BaseException) -> str:
    """What to tell of a database file SQLite cannot read (not_a_database)."""
    return (
        f"the database {_redact(url)!r} is not an SQLite database file, or the "
        f"file is damaged (SQLite says: {_first_line(exc)}); nothing was stored in it. If it "
        "is the dashboard's database, restore it from a backup (or import the exports again "
        f"into a new file); else point --db or {DATABASE_URL_ENV} at the dashboard's database"
    )


def _upgrade_schema(engine: Engine) -> None:
    with engine.connect() as connection:  # a reader: never waits for an import
        _refuse_another_application(connection)
        found = _stored_revision(connection)
    if found == HEAD_REVISION:
        return  # the usual case: a few small reads, and Alembic is never loaded
    from dashboard import migrations  # imports Alembic: only when there is work for it

    if found is not None and not migrations.known(found):
        raise DatabaseError(
            f"the database {_redact(str(engine.url))!r} is at schema revision {found}, which "
            f"this program does not know: a newer sla-dashboard wrote it (this is "
            f"{__version__}, schema revision {HEAD_REVISION}); open it with that release or "
            "a later one"
        )
    # Upgrading writes: as a writer, so an upgrade started while an import holds the lock
    # waits its turn (a reader turning writer would fail at once), and so that two processes
    # opening the database at once upgrade it once, one after the other.
    try:
        with writing(engine) as connection:
            found = _stored_revision(connection)  # again, now that no one else is writing
            if found != HEAD_REVISION:
                migrations.upgrade(connection, found)
                _record_schema_version(connection)
    except SQLAlchemyError as exc:
        if not _not_allowed(exc):
            raise
        # A reader's account (a read-only role, a read-only file) can use a database at this
        # schema, but cannot create or upgrade one: say what is pending and who can do it.
        raise DatabaseError(
            f"the database {_redact(str(engine.url))!r} needs its schema "
            + ("created" if found is None else f"upgraded from revision {found}")
            + f" to {HEAD_REVISION}, which this account may not do ({_first_line(exc)}): run "
            "any sla-dashboard command once as the owner of its tables, then try again"
        ) from None


def _refuse_another_application(connection: Connection) -> None:
    """An SQLite file of another application is refused before anything is read or written.

    Tables, none of them ours, say it is not ours: creating the dashboard's tables in it would
    mix two applications' data (and the user most likely named the wrong file). PostgreSQL is
    left alone: a team database rightly holds other applications' tables beside ours.
    """
    if connection.dialect.name != "sqlite":
        return
    tables = inspect(connection)
    foreign = foreign_tables(tables.get_table_names())
    if not foreign or _our_stamp(connection, tables):
        return
    raise DatabaseError(
        f"the database {_redact(str(connection.engine.url))!r} belongs to another application "
        f"(its tables: {_listed(foreign)}; none of sla-dashboard's): refusing to add the "
        f"dashboard's tables to it, nothing was written; point --db or {DATABASE_URL_ENV} at "
        "the dashboard's database, or at a new file name to start one"
    )


def _our_stamp(connection: Connection, tables) -> bool:
    """A settings table of ours (key, value) naming a schema version: written by some release
    or development version of this program (_stored_revision says whether it can be used)."""
    if not tables.has_table(settings.name):
        return False
    if not {"key", "value"} <= {c["name"] for c in tables.get_columns(settings.name)}:
        return False
    stamp = select(settings.c.value).where(settings.c.key == "schema_version")
    return connection.execute(stamp).first() is not None


def _listed(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most]) or "none"
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _not_allowed(exc: SQLAlchemyError) -> bool:
    text_ = str(getattr(exc, "orig", exc)).lower()
    return "permission denied" in text_ or "readonly database" in text_ or "read-only" in text_


def _stored_revision(connection: Connection) -> str | None:
    """Alembic's stamp; else the baseline for a database from before migrations; else None.

    Two small reads: this runs on every open.
    """
    tables = inspect(connection)
    if tables.has_table(_ALEMBIC_VERSION):
        return connection.execute(text(f"select version_num from {_ALEMBIC_VERSION}")).scalar()
    if not tables.has_table(settings.name):
        return None
    found = connection.execute(
        select(settings.c.value).where(settings.c.key == "schema_version")
    ).scalar()
    if found is None:
        return None
    if found != str(BASELINE_VERSION):
        raise DatabaseError(
            f"the database {_redact(str(connection.engine.url))!r} has schema version {found}, "
            f"which this program cannot upgrade (upgrades start at schema {BASELINE_VERSION}, "
            "release 0.1.0): keep your exports, move the database aside and import them again"
        )
    return revision(BASELINE_VERSION)


def _record_schema_version(connection: Connection) -> None:
    # Releases before migrations read only this, and refuse a database of another version
    # rather than write into a schema they do not know.
    connection.execute(delete(settings).where(settings.c.key == "schema_version"))
    connection.execute(settings.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))


def require_schema(engine: Engine) -> None:
    """A clear error when the database is not at this program's schema, else nothing.

    For a read that failed: "no such table" says less than which database was never opened.
    """
    with engine.connect() as connection:
        found = _stored_revision(connection)
    url = _redact(str(engine.url))
    if found is None:
        raise DatabaseError(
            f"the database {url!r} has no sla-dashboard tables: open it once with the dashboard "
            "or any sla-dashboard command, which creates them"
        )
    if found != HEAD_REVISION:
        raise DatabaseError(
            f"the database {url!r} is at schema revision {found}, not {HEAD_REVISION}: open it "
            "once with the dashboard or any sla-dashboard command, which upgrades it"
        )


def _first_line(exc: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's statement dump and help link."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url
