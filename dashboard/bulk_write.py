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

import contextlib
import gc
import itertools
import sqlite3
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Date, Float, Integer, Table

from dashboard.store import UtcDateTime

_BATCH = 50_000


def insert_rows(connection: Connection, table: Table, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    names = list(frame.columns)
    with _without_cycle_collection():
        if connection.dialect.name == "postgresql":
            _copy(connection, table.name, names, _rows(_batches(connection, table, frame, names)))
        else:
            _insert_sqlite(connection, table, frame, names)


def _constant(values: pd.Series):
    """The one value every row of a column holds (not missing), else _VARIES: a cheap look
    at three rows first, the whole column only when they agree. Equal means the same: text
    among Python objects (1, 1.0 and True are == in Python), floats bit for bit (0.0 == -0.0)."""
    array = values.to_numpy()
    if len(array) < 2 or array.dtype.kind not in "OiubfM":
        return _VARIES
    first = array[0]
    if array.dtype.kind == "O" and type(first) is not str:  # None, NaN, NA, numbers, ...
        return _VARIES
    if array.dtype.kind in "fM" and first != first:  # NaN or NaT: missing
        return _VARIES
    if array.dtype.kind == "f":  # compared as their bits
        array = array.view(f"u{array.itemsize}")
    bits = array[0]
    try:  # (a pd.NA among Python objects refuses to be compared: not one value, then)
        if not (array[-1] == bits and array[len(array) // 2] == bits):
            return _VARIES
        return first if bool((array == bits).all()) else _VARIES
    except (TypeError, ValueError):
        return _VARIES


_VARIES = object()


def insert_tuples(
    connection: Connection, table: Table, names: list[str], rows: list[tuple]
) -> None:
    """Rows already as the driver takes them (as another query of the same driver gave them,
    plus bytes), inserted as they are."""
    if not rows:
        return
    with _without_cycle_collection():
        if connection.dialect.name == "postgresql":
            _copy(connection, table.name, names, rows)
        else:
            connection.exec_driver_sql(_insert_sql(connection, table.name, names), rows)


def _insert_sqlite(
    connection: Connection, table: Table, frame: pd.DataFrame, names: list[str]
) -> None:
    """INSERT each batch, leaving out the columns NULL in every row of it (an export without
    vendor figures or histories has six): sqlite3 binds None through its adapter lookup, a
    quarter of a microsecond a value, and an omitted column without a default is NULL. A
    column with one value in every row of the batch (the source, the import, the policy's
    fingerprint) is bound once a statement."""
    nullable = {c.name for c in table.c if c.default is None and c.server_default is None}
    for rows, constants, varying, columns, missing in _sqlite_batches(table, frame, names):
        kept = [i for i, name in enumerate(varying) if name not in nullable or not missing[i]]
        if not kept:  # rows that differ in no column bound: each bound whole, as they are
            _insert_columns_sqlite(connection, table.name, list(constants),
                                   [[value] * rows for value in constants.values()])  # fmt: skip
            continue
        _insert_columns_sqlite(connection, table.name, [varying[i] for i in kept],
                               [columns[i] for i in kept], constants)  # fmt: skip
        del columns  # the batch's values go before the next batch is made


def _insert_columns_sqlite(
    connection: Connection,
    table: str,
    names: list[str],
    columns: list[list],
    constants: dict[str, object] | None = None,
) -> None:
    """INSERT the rows of equally long columns, many rows a statement.

    sqlite3 spends about 1.5 us on each execution of a statement whatever its width (the
    step, the reset, the next parameters fetched): with ROWS_PER_INSERT rows in one VALUES
    list, a million cases' rows took 4.2 us each instead of 5.6 (33 columns). Each row's
    values are still bound one by one, as before; the `constants` once a statement, as
    numbered parameters ?1 ... ?k that every row repeats. The rows that do not fill a
    statement go one by one at the end.
    """
    constants = constants or {}
    fixed = tuple(constants.values())
    count, width = len(columns[0]), len(names)
    per = max(1, min(ROWS_PER_INSERT, (_variable_limit(connection) - len(fixed)) // width))
    whole = count - count % per
    if whole:
        sql = _insert_sql(connection, table, names, rows=per, constants=list(constants))
        connection.exec_driver_sql(
            sql, [_flat(columns, start, per, fixed) for start in range(0, whole, per)]
        )
    if whole < count:
        rest = [(*fixed, *row) for row in zip(*(values[whole:] for values in columns), strict=True)]
        connection.exec_driver_sql(
            _insert_sql(connection, table, names, constants=list(constants)), rest
        )


ROWS_PER_INSERT = 100  # 100 and 992 (the most 33 columns allow at 32,766) were as quick


def _flat(columns: list[list], start: int, rows: int, fixed: tuple = ()) -> tuple:
    """Rows start .. start + rows - 1, one after the other, after the `fixed` values, as one
    statement's parameters: each column's slice is laid into every width-th place (in C: no
    Python step per value)."""
    width, first = len(columns), len(fixed)
    flat: list = [None] * (first + rows * width)
    flat[:first] = fixed
    for position, values in enumerate(columns):
        flat[first + position :: width] = values[start : start + rows]
    return tuple(flat)


def _variable_limit(connection: Connection) -> int:
    """How many parameters one statement may have: 32,766 since SQLite 3.32, 999 before
    (or what the build set)."""
    driver = connection.connection.driver_connection
    return driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def update_rows(
    connection: Connection, table: Table, frame: pd.DataFrame, *, keys: tuple[str, ...]
) -> None:
    """UPDATE each row's non-key columns, matching rows on `keys`."""
    if frame.empty:
        return
    values = [c for c in frame.columns if c not in keys]
    quote = connection.dialect.identifier_preparer.quote
    with _without_cycle_collection():
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
        for columns, _ in _batches(connection, table, frame, [*values, *keys]):
            connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))
            del columns


def _batches(
    connection: Connection, table: Table, frame: pd.DataFrame, names: list[str]
) -> Iterator[tuple[list[list], list[bool]]]:
    """Each batch of rows as driver-ready columns (lists of values, in `names` order), and
    whether each column is missing in every row of the batch: memory stays bounded by one
    batch."""
    sqlite = connection.dialect.name == "sqlite"
    for start in range(0, len(frame), _BATCH):
        part = frame.iloc[start : start + _BATCH]
        converted = [_convert(part[name], table.c[name].type, sqlite) for name in names]
        yield [values for values, _ in converted], [every for _, every in converted]


def _sqlite_batches(
    table: Table, frame: pd.DataFrame, names: list[str]
) -> Iterator[tuple[int, dict[str, object], list[str], list[list], list[bool]]]:
    """_batches for SQLite, each batch's constant columns apart: (its rows; the constants'
    values as bound, by name; the other columns' names, values and whether each is missing
    in every row). A constant is bound once a statement instead of once a row."""
    for start in range(0, len(frame), _BATCH):
        part = frame.iloc[start : start + _BATCH]
        constants, varying, columns, missing = {}, [], [], []
        for name in names:
            kind = table.c[name].type
            if _constant(part[name]) is not _VARIES:
                (value,), _ = _convert(part[name].iloc[:1], kind, True)
                constants[name] = value
                continue
            values, every = _convert(part[name], kind, True)
            varying.append(name)
            columns.append(values)
            missing.append(every)
        yield len(part), constants, varying, columns, missing


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while rows are made and written.

    It runs every 700 new tuples, walking them all again (and now and then every object the
    process holds, an import's prepared cases among them): a tenth of a million-row import.
    The rows' tuples hold numbers, text and None, which form no cycle, and are freed by their
    reference counts before the collector is switched back on, as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _copy(connection: Connection, table: str, names: list[str], rows: Iterable[tuple]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    cursor = connection.connection.driver_connection.cursor()  # this transaction's connection
    try:
        columns = ", ".join(quote(n) for n in names)
        with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _rows(batches: Iterator[tuple[list[list], list[bool]]]) -> Iterator[tuple]:
    """The rows of batches of driver-ready columns, one batch made at a time (chained in C:
    no Python frame per row)."""
    return itertools.chain.from_iterable(zip(*columns, strict=True) for columns, _ in batches)


def _insert_sql(
    connection: Connection,
    table: str,
    names: list[str],
    rows: int = 1,
    constants: list[str] | None = None,
) -> str:
    """INSERT of `rows` rows of the named columns; with `constants`, those columns too,
    as the numbered parameters ?1 ... ?k every row repeats, the others numbered after them
    (SQLite: a parameter ?N is one value however often it appears)."""
    quote = connection.dialect.identifier_preparer.quote
    if not constants:
        row = f"({', '.join([_placeholder(connection)] * len(names))})"
        return (
            f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in names)}) "
            f"VALUES {', '.join([row] * rows)}"
        )
    first, width = len(constants), len(names)
    fixed = [f"?{i + 1}" for i in range(first)]
    values = ", ".join(
        f"({', '.join([*fixed, *(f'?{first + r * width + c + 1}' for c in range(width))])})"
        for r in range(rows)
    )
    columns = ", ".join(quote(n) for n in [*constants, *names])
    return f"INSERT INTO {quote(table)} ({columns}) VALUES {values}"


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
    _copy(connection, f"staging_{table.name}", names, _rows(batches))
    assignments = ", ".join(f"{quote(c)} = staged.{quote(c)}" for c in values)
    matches = " AND ".join(f"target.{quote(k)} = staged.{quote(k)}" for k in keys)
    connection.exec_driver_sql(
        f"UPDATE {quote(table.name)} AS target SET {assignments} "
        f"FROM {staging} AS staged WHERE {matches}"
    )
    connection.exec_driver_sql(f"DROP TABLE {staging}")


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _convert(values: pd.Series, kind, sqlite: bool) -> tuple[list, bool]:
    """One column -> a list of driver-ready Python values (None for missing, SQLITE_NULL on
    SQLite), and whether every value is missing (from the mask already made: counting the
    list's None was a fortieth of a million-row import).

    numpy's tolist makes the Python ints, floats and bools in C; only the missing cells are
    then set one by one (a list, not an object array: the array's tolist would be a second
    pass over every cell, and this was a tenth of a million-row import).
    """
    if isinstance(kind, UtcDateTime):
        stamps = _as_datetime64(values, "s")
        # SQLite: whole seconds since 1970, as UtcDateTime stores them there; PostgreSQL
        # reads the zone: "2026-03-02T09:15:00Z"
        out = (
            stamps.view(np.int64).tolist()
            if sqlite
            else np.datetime_as_string(stamps, unit="s", timezone="UTC").tolist()
        )
        return _with_null(out, np.isnat(stamps), sqlite)
    if isinstance(kind, Date):
        days = _as_datetime64(values, "D")
        return _with_null(iso_days(days), np.isnat(days), sqlite)
    numpy_typed = isinstance(values.dtype, np.dtype) and values.dtype.kind in "biuf"
    if isinstance(kind, Boolean) and numpy_typed and values.dtype.kind == "b":
        # SQLite stores a bool as 1 or 0 whichever is bound; an int skips the adapter.
        return values.to_numpy(dtype=np.int64 if sqlite else bool).tolist(), values.empty
    if isinstance(kind, Integer) and numpy_typed and values.dtype.kind in "iub":
        return values.to_numpy(dtype=np.int64).tolist(), values.empty  # never missing
    missing = values.isna().to_numpy()
    if isinstance(kind, Boolean):
        plain = values.astype(object).tolist()
    elif isinstance(kind, Integer):
        plain = values.to_numpy(dtype=np.int64, na_value=0).tolist()
    elif isinstance(kind, Float):
        plain = values.to_numpy(dtype=np.float64, na_value=np.nan).tolist()
    else:
        plain = values.tolist()
    return _with_null(plain, missing, sqlite)


def iso_days(days: np.ndarray) -> list[str]:
    """datetime64[D] -> 'YYYY-MM-DD' text, as np.datetime_as_string writes it ('NaT' for NaT).

    That function costs about a microsecond a value; a batch spans a few hundred distinct
    days, so each is written once and looked up.
    """
    distinct, position = np.unique(days, return_inverse=True)
    labels = np.datetime_as_string(distinct, unit="D").astype(object)
    return labels[position.reshape(-1)].tolist()


def _with_null(values: list, missing: np.ndarray, sqlite: bool) -> tuple[list, bool]:
    """The values with the database's NULL where missing, and whether every one is."""
    positions = np.flatnonzero(missing).tolist()
    null = SQLITE_NULL if sqlite else None
    for position in positions:
        values[position] = null
    return values, len(positions) == len(values)


# A missing value as bound on SQLite. SQLite stores a NaN bound as a float as NULL
# (sqlite3VdbeMemSetDouble, behind sqlite3_bind_double: a NaN sets the value NULL), and
# sqlite3 binds a float at once, where None goes through its adapter lookup first: about
# 0.3 us more a value (a million-case import binds nine hundred thousand missing dismissal
# reasons). PostgreSQL's COPY takes None.
SQLITE_NULL = float("nan")


def _as_datetime64(values: pd.Series, unit: str) -> np.ndarray:
    if values.dtype.kind == "M":
        series = values.dt.tz_convert("UTC").dt.tz_localize(None) if values.dt.tz else values
        return series.to_numpy(dtype=f"datetime64[{unit}]")
    converted = pd.to_datetime(values, utc=True).dt.tz_localize(None)
    return converted.to_numpy(dtype=f"datetime64[{unit}]")
