"""Fast bulk INSERT and UPDATE of DataFrames, identical on SQLite and PostgreSQL.

SQLAlchemy's executemany converts each value of each row in Python (two type processors per
timestamp), which made it 80 % of an import. Here every column is converted once, vectorised,
to what the driver stores (what store.UtcDateTime and SQLAlchemy's Date would write on SQLite,
ISO strings PostgreSQL casts on arrival), and rows go to the driver as tuples, inside the caller's
transaction: sqlite3's executemany, or PostgreSQL's COPY (psycopg's executemany costs ~60 us a
row; COPY a few). Reading back through SQLAlchemy gives the usual Python types.

Frames hold timestamps as datetime64 (UTC, NaT when missing), dates as datetime64[D] or date
objects, numbers as numbers (NaN or None when missing) and text as str or None.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Date, Float, Integer, Table

from dashboard.store import UtcDateTime

_BATCH = 50_000


def insert_rows(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    names = list(frame.columns)
    quote = connection.dialect.identifier_preparer.quote
    batches = _batches(connection, table, frame, names)
    if connection.dialect.name == "postgresql":
        _copy(connection, quote(table.name), [quote(n) for n in names], batches)
        return
    marks = ", ".join([_placeholder(connection)] * len(names))
    sql = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES ({marks})"
    for rows in batches:
        connection.exec_driver_sql(sql, rows)


def update_rows(
    connection: Connection, table: Table, frame: pd.DataFrame, *, keys: tuple[str, ...]
) -> None:
    """UPDATE each row's non-key columns, matching rows on `keys`."""
    if frame.empty:
        return
    values = [c for c in frame.columns if c not in keys]
    quote = connection.dialect.identifier_preparer.quote
    if connection.dialect.name == "postgresql":
        _update_through_copy(connection, table, frame, keys, values)
        return
    mark = _placeholder(connection)
    sql = (
        f"UPDATE {quote(table.name)} SET "
        + ", ".join(f"{quote(c)} = {mark}" for c in values)
        + " WHERE "
        + " AND ".join(f"{quote(k)} = {mark}" for k in keys)
    )
    for rows in _batches(connection, table, frame, [*values, *keys]):
        connection.exec_driver_sql(sql, rows)


def _batches(
    connection: Connection, table: Table, frame: pd.DataFrame, names: list[str]
) -> Iterator[list[tuple]]:
    """Rows as driver-ready tuples, a batch at a time: memory stays bounded by one batch."""
    for start in range(0, len(frame), _BATCH):
        chunk = frame.iloc[start : start + _BATCH]
        yield list(zip(*_columns(connection, table, chunk, names), strict=True))


def _copy(
    connection: Connection, table: str, names: list[str], batches: Iterator[list[tuple]]
) -> None:
    cursor = connection.connection.driver_connection.cursor()  # this transaction's connection
    try:
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for rows in batches:
                for row in rows:
                    copy.write_row(row)
    finally:
        cursor.close()


def _update_through_copy(
    connection: Connection, table: Table, frame: pd.DataFrame, keys: tuple[str, ...], values: list
) -> None:
    """COPY the new values into a temporary table, then one UPDATE ... FROM."""
    quote = connection.dialect.identifier_preparer.quote
    staging = quote(f"staging_{table.name}")
    names = [*values, *keys]
    # The columns' types without the table's constraints (not-null columns we do not update).
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT "
        f"{', '.join(quote(n) for n in names)} FROM {quote(table.name)} WITH NO DATA"
    )
    batches = _batches(connection, table, frame, names)
    _copy(connection, staging, [quote(n) for n in names], batches)
    assignments = ", ".join(f"{quote(c)} = staged.{quote(c)}" for c in values)
    matches = " AND ".join(f"target.{quote(k)} = staged.{quote(k)}" for k in keys)
    connection.exec_driver_sql(
        f"UPDATE {quote(table.name)} AS target SET {assignments} "
        f"FROM {staging} AS staged WHERE {matches}"
    )
    connection.exec_driver_sql(f"DROP TABLE {staging}")


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _columns(connection: Connection, table: Table, frame: pd.DataFrame, names: list[str]):
    sqlite = connection.dialect.name == "sqlite"
    return [_convert(frame[name], table.c[name].type, sqlite) for name in names]


def _convert(values: pd.Series, kind, sqlite: bool) -> list:
    """One column -> a list of driver-ready Python values (None for missing)."""
    if isinstance(kind, UtcDateTime):
        stamps = _as_datetime64(values, "s")
        if sqlite:  # whole seconds since 1970, as UtcDateTime stores them on SQLite
            out = stamps.astype(np.int64).astype(object)
        else:  # PostgreSQL reads the zone: "2026-03-02T09:15:00Z"
            out = np.datetime_as_string(stamps, unit="s", timezone="UTC").astype(object)
        out[np.isnat(stamps)] = None
        return out.tolist()
    if isinstance(kind, Date):
        days = _as_datetime64(values, "D")
        out = np.datetime_as_string(days, unit="D").astype(object)
        out[np.isnat(days)] = None
        return out.tolist()
    missing = values.isna().to_numpy()
    if isinstance(kind, Boolean):
        plain = values.astype(object).to_numpy(copy=True)
    elif isinstance(kind, Integer):
        plain = values.fillna(0).to_numpy(dtype=np.int64).astype(object)  # Python ints
    elif isinstance(kind, Float):
        plain = values.to_numpy(dtype=np.float64, na_value=np.nan).astype(object)
    else:
        plain = values.to_numpy(dtype=object, copy=True)
    plain[missing] = None
    return plain.tolist()


def _as_datetime64(values: pd.Series, unit: str) -> np.ndarray:
    if values.dtype.kind == "M":
        series = values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz else values
        return series.to_numpy(dtype=f"datetime64[{unit}]")
    converted = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    return converted.to_numpy(dtype=f"datetime64[{unit}]")
