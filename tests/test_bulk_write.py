"""Bulk INSERT and UPDATE (dashboard/bulk_write.py), on SQLite and PostgreSQL alike: every kind
of column, missing values in every shape a frame holds them, read back as SQLAlchemy would."""

from __future__ import annotations

import datetime as dt
import gc
import math
import sqlite3

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    event,
    select,
)

from dashboard import bulk_write
from dashboard.bulk_write import insert_rows, update_rows
from dashboard.store import UtcDateTime, make_engine, writing

METADATA = MetaData()
SAMPLES = Table(
    "bulk_samples",
    METADATA,
    Column("key", Text, primary_key=True),
    Column("count", Integer),
    Column("small", SmallInteger),
    Column("big", BigInteger),
    Column("share", Float),
    Column("flag", Boolean),
    Column("label", Text),
    Column("at", UtcDateTime),
    Column("day", Date),
)

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
# What each row should read back as: None where the frame holds the value as missing.
EXPECTED = [
    ("a", 1, 2, 2**40, 0.5, True, "x", dt.datetime(2026, 3, 2, 9, 15, tzinfo=UTC),
     dt.date(2026, 3, 2)),
    ("b", None, None, None, None, False, None, None, None),
    ("c", -3, 0, 0, -1.25, True, "ü ✓", dt.datetime(1970, 1, 1, tzinfo=UTC),
     dt.date(1999, 12, 31)),
]  # fmt: skip
NAMES = [c.name for c in SAMPLES.c]


def _frames() -> dict[str, pd.DataFrame]:
    """The rows of EXPECTED in each way the importer's frames hold columns."""
    at = np.array(["2026-03-02T09:15:00", "NaT", "1970-01-01T00:00:00"], dtype="datetime64[s]")
    day = np.array(["2026-03-02", "NaT", "1999-12-31"], dtype="datetime64[D]")
    keys = np.array(["a", "b", "c"], dtype=object)
    labels = np.array(["x", None, "ü ✓"], dtype=object)
    return {
        # numpy-typed numbers with pandas' nullable integers, NaN floats, object text
        "typed": pd.DataFrame(
            {
                "key": pd.Series(keys, dtype=object),
                "count": pd.Series([1, None, -3], dtype="Int64"),
                "small": pd.Series([2, None, 0], dtype="Int16"),
                "big": pd.Series([2**40, None, 0], dtype="Int64"),
                "share": np.array([0.5, np.nan, -1.25]),
                "flag": np.array([True, False, True]),
                "label": pd.Series(labels, dtype=object),
                "at": at,
                "day": day,
            }
        ),
        # every column as Python objects, missing as None, NaN or pd.NA
        "objects": pd.DataFrame(
            {
                "key": pd.Series(keys, dtype=object),
                "count": pd.Series([1, pd.NA, -3], dtype=object),
                "small": pd.Series([2.0, np.nan, 0.0]),  # floats for an integer column
                "big": pd.Series([2**40, None, 0], dtype=object),
                "share": pd.Series([0.5, None, -1.25], dtype=object),
                "flag": pd.Series([True, False, True], dtype=object),
                "label": pd.Series(["x", np.nan, "ü ✓"], dtype=object),
                "at": pd.Series([dt.datetime(2026, 3, 2, 9, 15, tzinfo=UTC), None, EPOCH]),
                "day": pd.Series([dt.date(2026, 3, 2), None, dt.date(1999, 12, 31)]),
            }
        ),
        # pandas' str dtype for text (NaN for missing), aware timestamps
        "pandas": pd.DataFrame(
            {
                "key": pd.Series(["a", "b", "c"], dtype="str"),
                "count": pd.Series([1, None, -3], dtype="Int32"),
                "small": pd.Series([2, None, 0], dtype="Int64"),
                "big": pd.Series([2**40, None, 0], dtype="Int64"),
                "share": pd.Series([0.5, None, -1.25], dtype="Float64"),
                "flag": pd.Series([True, False, True], dtype="boolean"),
                "label": pd.Series(["x", None, "ü ✓"], dtype="str"),
                "at": pd.Series(at).dt.tz_localize("UTC"),
                "day": pd.Series(day),
            }
        ),
    }


@pytest.fixture
def samples(engine):
    METADATA.create_all(engine)
    yield engine
    METADATA.drop_all(engine)


def _stored(engine) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(SAMPLES).order_by(SAMPLES.c.key))]


@pytest.mark.parametrize("shape", ["typed", "objects", "pandas"])
def test_every_kind_of_column_is_stored_as_sqlalchemy_reads_it(samples, shape):
    with writing(samples) as connection:
        insert_rows(connection, SAMPLES, _frames()[shape])
    assert _stored(samples) == EXPECTED


@pytest.mark.parametrize("shape", ["typed", "objects", "pandas"])
def test_an_update_writes_the_same_values_as_an_insert(samples, shape):
    blank = pd.DataFrame({"key": pd.Series(["a", "b", "c"], dtype=object)})
    with writing(samples) as connection:
        insert_rows(connection, SAMPLES, blank)
        update_rows(connection, SAMPLES, _frames()[shape], keys=("key",))
    assert _stored(samples) == EXPECTED


@pytest.mark.parametrize("shape", ["typed", "objects", "pandas"])
def test_missing_values_are_stored_as_null_in_every_kind_of_column(samples, shape):
    """On SQLite a missing value is bound as a float NaN, which SQLite stores as NULL (quicker
    than None): NULL it is, of no type, never a REAL NaN or text."""
    with writing(samples) as connection:
        insert_rows(connection, SAMPLES, _frames()[shape])
        update_rows(connection, SAMPLES, _frames()[shape].iloc[[1]], keys=("key",))
    nullable = [c for c in NAMES if c not in ("key", "flag")]
    with samples.connect() as connection:
        found = connection.exec_driver_sql(
            "select count(*) from bulk_samples where key = 'b' and "
            + " and ".join(f'"{c}" is null' for c in nullable)
        ).scalar_one()
        assert found == 1
        if samples.dialect.name == "sqlite":
            kinds = connection.exec_driver_sql(
                "select "
                + ", ".join(f'typeof("{c}")' for c in nullable)
                + " from bulk_samples where key = 'b'"
            ).one()
            assert set(kinds) == {"null"}
    assert math.isnan(bulk_write.SQLITE_NULL)


def test_rows_are_written_in_batches_and_all_arrive(samples, monkeypatch):
    monkeypatch.setattr(bulk_write, "_BATCH", 2)  # three batches for five rows
    frame = pd.concat([_frames()["typed"]] * 2, ignore_index=True).iloc[:5]
    frame["key"] = pd.Series([f"k{i}" for i in range(5)], dtype=object)
    with writing(samples) as connection:
        insert_rows(connection, SAMPLES, frame)
    stored = _stored(samples)
    assert [r[0] for r in stored] == [f"k{i}" for i in range(5)]
    assert [r[1:] for r in stored] == [e[1:] for e in (EXPECTED * 2)[:5]]


def _inserted_on_sqlite(path, frame: pd.DataFrame, *, variable_limit: int | None = None):
    """insert_rows of `frame` into SAMPLES in a new SQLite file: each INSERT run, as (its
    statement, how many sets of parameters it was run with), and the rows stored."""
    engine = make_engine(f"sqlite:///{path}")
    inserts = []

    def limited(dbapi_connection, _record) -> None:
        dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variable_limit)

    def spy(_connection, _cursor, statement, parameters, _context, many) -> None:
        if statement.startswith("INSERT"):
            inserts.append((statement, len(parameters) if many else 1))

    if variable_limit is not None:  # before the first connection: every one gets it
        event.listen(engine, "connect", limited)
    try:
        METADATA.create_all(engine)
        event.listen(engine, "before_cursor_execute", spy)
        with writing(engine) as connection:
            insert_rows(connection, SAMPLES, frame)
        return inserts, _stored(engine)
    finally:
        engine.dispose()


def test_sqlite_rows_go_many_to_a_statement_and_the_rest_one_by_one(tmp_path, monkeypatch):
    """Seven rows in batches of five, two rows a statement: the first batch as two statements
    of two rows and one row alone, the second as one of two; every value as before."""
    monkeypatch.setattr(bulk_write, "_BATCH", 5)
    monkeypatch.setattr(bulk_write, "ROWS_PER_INSERT", 2)
    frame = pd.concat([_frames()["typed"]] * 3, ignore_index=True).iloc[:7]
    frame["key"] = pd.Series([f"k{i}" for i in range(7)], dtype=object)
    inserts, stored = _inserted_on_sqlite(tmp_path / "rows.sqlite", frame)
    # (rows a statement, times run)
    assert [(sql.count("), (") + 1, runs) for sql, runs in inserts] == [(2, 2), (1, 1), (2, 1)]
    assert [r[0] for r in stored] == [f"k{i}" for i in range(7)]
    assert [r[1:] for r in stored] == [e[1:] for e in (EXPECTED * 3)[:7]]


def test_a_statement_never_has_more_parameters_than_sqlite_allows(tmp_path, monkeypatch):
    """An SQLite built with the old limit of 999 parameters takes 999 // 9 = 111 rows of the
    nine columns a statement, however many ROWS_PER_INSERT asks for."""
    monkeypatch.setattr(bulk_write, "ROWS_PER_INSERT", 1_000)
    frame = pd.concat([_frames()["typed"]] * 100, ignore_index=True)  # 300 rows
    frame["key"] = pd.Series([f"k{i:03}" for i in range(300)], dtype=object)
    inserts, stored = _inserted_on_sqlite(tmp_path / "limit.sqlite", frame, variable_limit=999)
    # (parameters a statement, times run): 111 rows twice, then the 78 left one by one
    assert [(sql.count("?"), runs) for sql, runs in inserts] == [(111 * 9, 2), (9, 78)]
    assert len(stored) == 300
    assert [r[1:] for r in stored[:3]] == [e[1:] for e in EXPECTED]


def test_the_cycle_collector_is_back_on_after_a_batch_even_a_failed_one(samples):
    assert gc.isenabled()
    frame = _frames()["typed"]
    frame["count"] = pd.Series(["not a number"] * 3, dtype=object)
    with pytest.raises(ValueError, match="not a number"), writing(samples) as connection:
        insert_rows(connection, SAMPLES, frame)
    assert gc.isenabled()
    with writing(samples) as connection:
        insert_rows(connection, SAMPLES, _frames()["typed"])
    assert gc.isenabled()
    assert _stored(samples) == EXPECTED


DEFAULTS = Table(
    "bulk_defaults",
    METADATA,
    Column("key", Text, primary_key=True),
    Column("plain", Integer),
    Column("defaulted", Text, server_default="from the default"),
)


def test_a_column_null_in_a_whole_batch_is_stored_null_not_its_default(samples, monkeypatch):
    """SQLite's inserts leave out a column NULL in every row of a batch, unless it has a
    default: the value stored is NULL either way."""
    monkeypatch.setattr(bulk_write, "_BATCH", 2)  # a batch of only NULLs, then a mixed one
    frame = pd.DataFrame(
        {
            "key": pd.Series(["a", "b", "c", "d"], dtype=object),
            "plain": pd.Series([None, None, 3, None], dtype="Int64"),
            "defaulted": pd.Series([None, None, "x", None], dtype=object),
        }
    )
    with writing(samples) as connection:
        insert_rows(connection, DEFAULTS, frame)
    with samples.connect() as connection:
        stored = connection.execute(select(DEFAULTS).order_by(DEFAULTS.c.key)).all()
    assert [tuple(r) for r in stored] == [
        ("a", None, None), ("b", None, None), ("c", 3, "x"), ("d", None, None),
    ]  # fmt: skip


def test_days_are_written_as_numpy_writes_them():
    """The looked-up ISO dates agree with np.datetime_as_string on every value: before 1970,
    leap days, far years and NaT."""
    rng = np.random.default_rng(16)
    days = np.concatenate(
        [rng.integers(-200_000, 200_000, 20_000), [0, -1, 11_016, 11_017, 2_932_896, -719_162]]
    ).astype("datetime64[D]")
    days[::997] = np.datetime64("NaT")
    assert bulk_write.iso_days(days) == np.datetime_as_string(days, unit="D").tolist()
    assert bulk_write.iso_days(np.array([], dtype="datetime64[D]")) == []


def test_a_column_with_one_value_in_a_batch_is_bound_once_a_statement(tmp_path, monkeypatch):
    """Every column but the key holds row a's value in all seven rows (each kind of column,
    each way a frame holds it): SQLite gets a numpy column's value once a statement, as
    ?1 ... ?8 that every row repeats, and every row reads back whole."""
    monkeypatch.setattr(bulk_write, "_BATCH", 5)
    monkeypatch.setattr(bulk_write, "ROWS_PER_INSERT", 2)
    for shape, frame in _frames().items():
        same = frame.iloc[[0] * 7].reset_index(drop=True)
        same["key"] = pd.Series([f"k{i}" for i in range(7)], dtype=object)
        inserts, stored = _inserted_on_sqlite(tmp_path / f"{shape}.sqlite", same)
        assert [r[1:] for r in stored] == [EXPECTED[0][1:]] * 7, shape
        assert [r[0] for r in stored] == [f"k{i}" for i in range(7)]
        if shape == "typed":  # (numpy columns; Python objects other than text are not looked at)
            # two rows a statement: the eight constants once, then each row's key
            sql, _ = inserts[0]
            assert sql.count("?1,") == 2
            assert sql.endswith("?10)")


def test_a_column_constant_in_one_batch_and_not_the_next_keeps_every_value(samples, monkeypatch):
    monkeypatch.setattr(bulk_write, "_BATCH", 3)
    frame = pd.DataFrame(
        {
            "key": pd.Series([f"k{i}" for i in range(6)], dtype=object),
            "count": pd.Series([7, 7, 7, 7, None, 8], dtype="Int64"),  # NA amid the next
            "label": pd.Series(["x", "x", "x", "x", "y", "x"], dtype=object),
            "share": np.array([np.nan, np.nan, np.nan, 1.5, 1.5, 1.5]),  # missing, then one
        }
    )
    with writing(samples) as connection:
        insert_rows(connection, SAMPLES, frame)
    stored = [(r[0], r[1], r[6], r[4]) for r in _stored(samples)]
    assert stored == [
        ("k0", 7, "x", None), ("k1", 7, "x", None), ("k2", 7, "x", None),
        ("k3", 7, "x", 1.5), ("k4", None, "y", 1.5), ("k5", 8, "x", 1.5),
    ]  # fmt: skip


KEYLESS = Table("bulk_keyless", METADATA, Column("label", Text), Column("count", Integer))


def test_rows_alike_in_every_column_all_arrive(samples):
    """A table without a key may take the same row many times: none is lost when every
    column of a batch holds one value."""
    frame = pd.DataFrame({"label": ["same"] * 250, "count": np.full(250, 3)})
    with writing(samples) as connection:
        insert_rows(connection, KEYLESS, frame)
    with samples.connect() as connection:
        rows = connection.execute(select(KEYLESS)).all()
    assert [tuple(r) for r in rows] == [("same", 3)] * 250


def test_only_values_that_are_the_same_count_as_one():
    """Python calls 1, 1.0 and True equal, and 0.0 and -0.0: a column holding them is no
    constant (each row is bound with its own value, as before)."""
    assert bulk_write._constant(pd.Series([1, 1.0, True, 1], dtype=object)) is bulk_write._VARIES
    assert bulk_write._constant(pd.Series([0.0, -0.0, 0.0])) is bulk_write._VARIES
    assert bulk_write._constant(pd.Series(["x", "x", "x"], dtype=object)) == "x"
    assert bulk_write._constant(pd.Series([0.5, 0.5, 0.5], dtype=np.float32)) == 0.5
    assert bulk_write._constant(pd.Series([7, 7, 7])) == 7
