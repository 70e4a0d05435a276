"""Run the SQL files under queries/: one query per file, bound parameters only.

A file may name a fragment as {{name}}; it is replaced by queries/_name.sql (our own SQL,
never data), or by queries/_name.DIALECT.sql where the databases need different SQL for the
same thing (an instant as epoch seconds: `extract` on PostgreSQL, the stored integer on
SQLite): each dialect then has its own file, and the query runs on both. Every query takes
the same filters (Filters); values are always bound, and the columns that hold instants or
dates come back as aware UTC datetimes or dates on both databases.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, Engine, Integer, String, bindparam, text
from sqlalchemy.exc import DBAPIError

from dashboard.errors import DashboardError
from dashboard.store import (
    BINARY_RESULTS,
    DatabaseError,
    UtcDateTime,
    not_a_database,
    not_sqlite_message,
    require_schema,
)

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
_FRAGMENT = re.compile(r"\{\{(\w+)\}\}")
FETCH_ROWS = 10_000  # rows per driver call in run_integers (PostgreSQL)
EVERY = 2_000_000_000  # "no limit" for queries that take one: counts never come from a cut
# How result columns are read back (instants are integers on SQLite, dates are text).
_RESULT_TYPES = {
    **dict.fromkeys(
        ["created_at", "first_response_at", "resolved_at", "response_deadline",
         "response_breach_at", "day_end", "started_at", "finished_at", "at", "opened_at"],
        UtcDateTime(),
    ),
    **dict.fromkeys(
        ["day", "week", "created_local_date", "created_local_week", "resolved_local_date",
         "first_day", "last_day"],
        Date(),
    ),
    **dict.fromkeys(
        ["response_recorded", "responds", "resolves", "reopens", "resolved_state"], Boolean()
    ),
}  # fmt: skip
GRAINS = ("day", "week", "month", "quarter")
_EARLIEST, _LATEST = dt.date(1, 1, 1), dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Filters:
    """What every query is narrowed to; an empty list means all."""

    date_from: dt.date | None = None  # creation date in the calendar's zone, inclusive
    date_to: dt.date | None = None
    customers: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # where the cases come from (dashboard/sources.py)
    # The customers the person asking may see (access.Person.scope); None: every customer.
    # Unlike `customers` (a choice in the sidebar), no page or link can widen it.
    scope: tuple[str, ...] | None = None

    def params(self) -> dict:
        scope = () if self.scope is None else self.scope
        return {
            **_list("scope", scope),
            "all_scope": self.scope is None,  # an empty scope sees nothing, not everything
            "date_from": self.date_from or _EARLIEST,
            "date_to": self.date_to or _LATEST,
            **_list("customers", self.customers),
            **_list("severities", tuple(int(s) for s in self.severities)),
            **_list("channels", self.channels),
            **_list("plans", self.plans),
            **_list("sources", self.sources),
        }


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    grain: str = field(compare=False)  # the first-line comment


class QueryError(DashboardError):
    """A query file is missing or refers to a fragment that does not exist."""


def run(
    engine: Engine,
    name: str,
    *,
    filters: Filters = Filters(),
    as_of: dt.datetime | None = None,
    **params,
) -> pd.DataFrame:
    """Run queries/NAME.sql with the filters and parameters; one DataFrame row per result row."""
    with _cursor(engine, name, filters, as_of, params) as cursor:
        # The driver's rows as they are: SQLAlchemy's per-row objects cost more than the
        # query itself on large results, and _typed converts whole columns instead.
        columns = [d[0] for d in cursor.description]
        frame = _frame(cursor.fetchall(), columns)
    return _typed(frame)


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """The driver's rows as columns. PostgreSQL's instants arrive as aware datetimes, which
    pandas converts one by one, and slowly: read as epoch seconds instead, they become a
    datetime64 column in one call (reconcile_disagreements.sql's 281,520 rows at 10M cases,
    with three instants: 2.4-2.7 s to read before, 2.1 s)."""
    if not rows:
        return pd.DataFrame.from_records(rows, columns=columns)
    data = {}
    for name, values in zip(columns, zip(*rows, strict=True), strict=True):
        if isinstance(_RESULT_TYPES.get(name), UtcDateTime) and _all_datetimes(values):
            seconds = np.fromiter(
                (np.nan if v is None else v.timestamp() for v in values),
                dtype=np.float64,
                count=len(values),
            )
            data[name] = pd.to_datetime(seconds, unit="s", utc=True)
        else:
            data[name] = values
    return pd.DataFrame(data, columns=columns)


def _all_datetimes(values: tuple) -> bool:
    """Whether every value is an aware datetime or None (PostgreSQL's timestamptz)."""
    return all(v is None or (type(v) is dt.datetime and v.tzinfo is not None) for v in values)


def run_integers(
    engine: Engine,
    name: str,
    *,
    filters: Filters = Filters(),
    as_of: dt.datetime | None = None,
    **params,
) -> dict[str, np.ndarray]:
    """Run a query whose columns are all non-null integers; one int64 array per column.

    For per-case queries of a whole quarter (170,000 rows at 1M cases): streaming the rows
    into one array costs about half of building a DataFrame from a list of tuples.
    """
    with _cursor(engine, name, filters, as_of, params) as cursor:
        columns = [d[0] for d in cursor.description]
        flat = integers(cursor, engine.dialect.name, name)
    table = flat.reshape(-1, len(columns))
    return {column: table[:, i].copy() for i, column in enumerate(columns)}


def integers(cursor, dialect: str, name: str) -> np.ndarray:
    """Every value of every row of a driver cursor, in order, as one int64 array."""
    rows = cursor
    if dialect != "sqlite":
        # psycopg converts a batch of rows in one call but pays Python per row when
        # iterated (1M rows from PostgreSQL: 0.87 s against 1.23, medians of 7 alternated
        # runs); sqlite3 iterates in C, where batches would only add lists.
        rows = itertools.chain.from_iterable(iter(lambda: cursor.fetchmany(FETCH_ROWS), []))
    try:
        return np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise QueryError(f"{name}.sql returned a value that is not an integer: {exc}") from None


def rows_of(
    engine: Engine, name: str, *, filters: Filters = Filters(), as_of=None, **params
) -> list[tuple]:
    """The driver's rows as they are (bytes stay bytes): for results read value by value
    (PostgreSQL sends them in its binary format: no hex to decode for bytes)."""
    with _cursor(engine, name, filters, as_of, params, binary=True) as cursor:
        return cursor.fetchall()


@contextlib.contextmanager
def _cursor(
    engine: Engine, name: str, filters: Filters, as_of, params, *, binary: bool = False
) -> Iterator:
    query = load(name, engine.dialect.name)
    bound = {**filters.params(), **params}
    bound |= whole_months(bound["date_from"], bound["date_to"], params.get("grain"))
    if as_of is not None:
        bound["as_of"] = as_of
        bound.setdefault("as_of_date", None)
    missing = sorted(set(re.findall(r"(?<!:):(\w+)", query.sql)) - set(bound))
    if missing:
        raise QueryError(f"{name}.sql needs {', '.join(':' + m for m in missing)}")
    statement = _statement(query.sql, tuple(sorted(bound)))
    with engine.connect() as connection:
        try:
            result = connection.execute(
                statement, bound, execution_options={BINARY_RESULTS: binary}
            )
        except DBAPIError as exc:
            if not_a_database(engine, exc):  # a damaged page of an SQLite file
                raise DatabaseError(not_sqlite_message(str(engine.url), exc)) from None
            require_schema(engine)  # a database never opened: say which, not "no such table"
            raise
        try:
            yield result.cursor
        finally:
            result.close()


@cache
def load(name: str, dialect: str | None = None) -> Query:
    """queries/NAME.sql with its fragments, for a database of that dialect (a fragment of one
    file per dialect needs it)."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists() or name.startswith("_"):
        raise QueryError(f"no query {name!r} in {QUERIES_DIR}")
    source = path.read_text(encoding="utf-8")
    sql = _expand(_without_comments(source), seen=(name,), dialect=dialect)
    return Query(name, sql, source.splitlines()[0].removeprefix("--").strip())


def execute(connection, name: str, **params):
    """Run a statement of the summaries' refresh (queries/refresh_*.sql: those that write,
    and the reads that serve them) in the caller's transaction; returns its result."""
    query = load(name, connection.dialect.name)
    return connection.execute(_statement(query.sql, tuple(sorted(params))), params)


def names() -> list[str]:
    """The queries that read (files that write are named refresh_*)."""
    return sorted(
        p.stem for p in QUERIES_DIR.glob("*.sql")
        if not p.stem.startswith(("_", "refresh_"))
    )  # fmt: skip


def _expand(sql: str, *, seen: tuple[str, ...], dialect: str | None) -> str:
    def fragment(match: re.Match) -> str:
        name = match.group(1)
        if name in seen:
            raise QueryError(f"fragment {name!r} includes itself ({' -> '.join(seen)})")
        path = QUERIES_DIR / f"_{name}.sql"
        if not path.exists():
            path = QUERIES_DIR / f"_{name}.{dialect}.sql"
        if not path.exists():
            each = (f"_{name}.{dialect}.sql for {dialect}" if dialect
                    else "one per dialect, which needs the database's")  # fmt: skip
            raise QueryError(f"{seen[0]}.sql: no fragment {{{{{name}}}}} (_{name}.sql, or {each})")
        body = _without_comments(path.read_text(encoding="utf-8"))
        return _expand(body.strip(), seen=(*seen, name), dialect=dialect)

    return _FRAGMENT.sub(fragment, sql)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Instants as datetime64 in UTC and dates as dates, whatever the database returned
    (SQLite: integer seconds and ISO text; PostgreSQL: timestamptz and date)."""
    for column in frame.columns:
        kind = _RESULT_TYPES.get(column)
        if kind is None or frame[column].dtype.kind == "M":
            continue
        values = frame[column]
        if isinstance(kind, UtcDateTime):
            numeric = values.dtype.kind in "iuf"
            frame[column] = pd.to_datetime(values, unit="s" if numeric else None, utc=True)
        elif isinstance(kind, Boolean):
            frame[column] = values.astype(bool)
        else:
            frame[column] = pd.to_datetime(values).dt.date
    return frame


def _without_comments(sql: str) -> str:
    """Comment lines go: they speak of :parameters, which text() would take for binds."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


@cache
def _statement(sql: str, names: Sequence[str]):
    binds = []
    for name in names:
        if name in ("customers", "severities", "channels", "plans", "sources", "scope"):
            kind = Integer() if name == "severities" else String()
            binds.append(bindparam(name, expanding=True, type_=kind))
        elif name.startswith("all_"):
            binds.append(bindparam(name, type_=Boolean()))
        elif name in ("as_of",):
            binds.append(bindparam(name, type_=UtcDateTime()))
        elif name in (
            "date_from",
            "date_to",
            "as_of_date",
            "date_before",
            "created_from",
            "created_to",
            "months_from",
            "months_end",
            "lead_to",
            "trail_from",
        ):
            binds.append(bindparam(name, type_=Date()))
        elif name in ("limit", "import_id"):
            binds.append(bindparam(name, type_=Integer()))
        elif f":{name}" in sql:
            binds.append(bindparam(name, type_=String()))
    present = [b for b in binds if re.search(rf":{b.key}\b", sql)]
    return text(sql).bindparams(*present)


def whole_months(first: dt.date, last: dt.date, grain: str | None = None) -> dict:
    """How the period first .. last reads the summaries (queries/_*_of_period.sql): its whole
    months, months_from .. months_end, from the tables by month; the days before them
    (date_from .. lead_to) and after them (trail_from .. date_to) from the daily tables. None
    bounds a range that reads nothing (a comparison with null is never true). Without a whole
    month, or for a grain finer than a month (a week may straddle two), every day is read
    from the daily tables."""
    start = first if first.day == 1 else _first_of_next_month(first)
    end = _end_of_whole_months(last)
    if grain in ("day", "week") or start is None or end is None or start > end:
        return {"months_from": None, "months_end": None, "lead_to": last, "trail_from": None}
    return {
        "months_from": start,
        "months_end": end,
        "lead_to": start - dt.timedelta(days=1) if start > first else None,
        "trail_from": end + dt.timedelta(days=1) if end < last else None,
    }


def _end_of_whole_months(last: dt.date) -> dt.date | None:
    """The last day of the last month that ends by `last`; None before the first month."""
    following = _first_of_next_month(last)
    if following is None or following - dt.timedelta(days=1) == last:
        return last  # the last day of its month (9999-12-31 too)
    first_of_month = last.replace(day=1)
    return None if first_of_month == _EARLIEST else first_of_month - dt.timedelta(days=1)


def _first_of_next_month(day: dt.date) -> dt.date | None:
    """None past the last month a date can hold."""
    if day.month == 12:
        return dt.date(day.year + 1, 1, 1) if day.year < dt.MAXYEAR else None
    return dt.date(day.year, day.month + 1, 1)


def _list(name: str, values: tuple) -> dict:
    # An empty list means "all": the flag says so, and the list gets one value that matches
    # nothing (empty text is stored as NULL), so the statement is the same shape either way.
    nothing = -1 if name == "severities" else ""
    return {name: list(values) or [nothing], f"all_{name}": not values}
