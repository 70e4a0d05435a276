"""Fast bulk INSERT and UPDATE of DataFrames, identical on SQLite and PostgreSQL.

SQLAlchemy's executemany converts each value of each row in Python (two type processors per
timestamp), which made it 80 % of an import. Here every column is converted once, vectorised,
to what the driver stores (the same text SQLAlchemy itself would write on SQLite, an ISO
string PostgreSQL casts on arrival), and rows go to the driver's executemany as tuples, inside
the caller's transaction. Reading back through SQLAlchemy gives the usual Python types.

Frames hold timestamps as datetime64 (UTC, NaT when missing), dates as datetime64[D] or date
objects, numbers as numbers (NaN or None when missing) and text as str or None.
"""

from __future__ import annotations

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
    marks = ", ".join([_placeholder(connection)] * len(names))
    sql = f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES ({marks})"
    _execute_many(connection, sql, _columns(connection, table, frame, names))


def update_rows(
    connection: Connection, table: Table, frame: pd.DataFrame, *, keys: tuple[str, ...]
) -> None:
    """UPDATE each row's non-key columns, matching rows on `keys`."""
    if frame.empty:
        return
    values = [c for c in frame.columns if c not in keys]
    quote = connection.dialect.identifier_preparer.quote
    mark = _placeholder(connection)
    sql = (
        f"UPDATE {quote(table.name)} SET "
        + ", ".join(f"{quote(c)} = {mark}" for c in values)
        + " WHERE "
        + " AND ".join(f"{quote(k)} = {mark}" for k in keys)
    )
    _execute_many(connection, sql, _columns(connection, table, frame, [*values, *keys]))


def _execute_many(connection: Connection, sql: str, columns: list[list]) -> None:
    rows = list(zip(*columns, strict=True))
    for start in range(0, len(rows), _BATCH):
        connection.exec_driver_sql(sql, rows[start : start + _BATCH])


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _columns(connection: Connection, table: Table, frame: pd.DataFrame, names: list[str]):
    sqlite = connection.dialect.name == "sqlite"
    return [_convert(frame[name], table.c[name].type, sqlite) for name in names]


def _convert(values: pd.Series, kind, sqlite: bool) -> list:
    """One column -> a list of driver-ready Python values (None for missing)."""
    if isinstance(kind, UtcDateTime):
        stamps = _as_datetime64(values, "s")
        text = np.datetime_as_string(stamps, unit="s").astype(object)
        # SQLAlchemy's own SQLite format; PostgreSQL reads the offset.
        suffix = ".000000" if sqlite else "+00:00"
        text = np.char.add(np.char.replace(text.astype(str), "T", " "), suffix).astype(object)
        text[np.isnat(stamps)] = None
        return text.tolist()
    if isinstance(kind, Date):
        days = _as_datetime64(values, "D")
        text = np.datetime_as_string(days, unit="D").astype(object)
        text[np.isnat(days)] = None
        return text.tolist()
    if isinstance(kind, Boolean):
        return [None if v is None or v != v else bool(v) for v in values.tolist()]
    if isinstance(kind, Integer | Float):
        numbers = pd.to_numeric(values, errors="raise")
        cast = int if isinstance(kind, Integer) else float
        return [None if pd.isna(v) else cast(v) for v in numbers.astype(object).tolist()]
    return [None if v is None or v != v else str(v) for v in values.tolist()]


def _as_datetime64(values: pd.Series, unit: str) -> np.ndarray:
    if values.dtype.kind == "M":
        series = values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz else values
        return series.to_numpy(dtype=f"datetime64[{unit}]")
    converted = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    return converted.to_numpy(dtype=f"datetime64[{unit}]")
