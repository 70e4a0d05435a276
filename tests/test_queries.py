"""dashboard/queries.py: running the SQL files, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from dashboard import queries
from dashboard.queries import Filters
from tests import analytics_fixture as fixture

EARLY = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # every resolved case was resolved after it


def test_integers_read_in_several_batches_are_every_row_in_order(db, monkeypatch):
    # On PostgreSQL run_integers reads FETCH_ROWS rows per driver call: a batch boundary must
    # neither drop nor repeat a row, whether the last batch is full or short (SQLite iterates
    # the cursor, whatever FETCH_ROWS says).
    filters = Filters(*fixture.PERIOD)
    expected = queries.run(db, "resolved_after", filters=filters, as_of=EARLY)
    assert len(expected) > 7  # several batches of 3 and of 7 below, the last one short
    for batch in (1, 3, 7, len(expected), len(expected) + 1):
        monkeypatch.setattr(queries, "FETCH_ROWS", batch)
        got = queries.run_integers(db, "resolved_after", filters=filters, as_of=EARLY)
        for column in ("severity", "resolution_business_seconds"):
            assert got[column].dtype == np.int64
            assert got[column].tolist() == expected[column].astype(int).tolist(), batch


def test_integers_of_no_rows_are_empty_columns(db):
    got = queries.run_integers(db, "resolved_after", filters=Filters(customers=("nobody",)),
                               as_of=EARLY)  # fmt: skip
    assert {k: v.tolist() for k, v in got.items()} == {
        "severity": [],
        "resolution_business_seconds": [],
    }


def _days(first: dt.date, last: dt.date | None) -> set[dt.date]:
    """The days of first .. last; none when a bound is None (as `between` with a null)."""
    if first is None or last is None or last < first:
        return set()
    return {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}


def test_a_period_reads_its_whole_months_by_month_and_the_days_around_them_by_day() -> None:
    d = dt.date
    assert queries.whole_months(d(2026, 1, 15), d(2026, 3, 10)) == {
        "months_from": d(2026, 2, 1), "months_end": d(2026, 2, 28),
        "lead_to": d(2026, 1, 31), "trail_from": d(2026, 3, 1),
    }  # fmt: skip
    assert queries.whole_months(d(2026, 1, 1), d(2026, 12, 31)) == {
        "months_from": d(2026, 1, 1), "months_end": d(2026, 12, 31),
        "lead_to": None, "trail_from": None,
    }  # fmt: skip
    daily = {"months_from": None, "months_end": None, "lead_to": d(2026, 2, 27),
             "trail_from": None}  # fmt: skip
    assert queries.whole_months(d(2026, 2, 2), d(2026, 2, 27)) == daily
    assert queries.whole_months(d(2026, 2, 1), d(2026, 2, 27)) == daily
    # a week may straddle two months: weeks and days are read by day
    assert queries.whole_months(d(2026, 1, 1), d(2026, 3, 31), "week")["months_from"] is None
    assert queries.whole_months(d(2026, 1, 1), d(2026, 3, 31), "month")["months_from"]
    # no bound: every month, to the ends of what a date can hold
    everything = queries.whole_months(dt.date.min, dt.date.max)
    assert (everything["months_from"], everything["months_end"]) == (dt.date.min, dt.date.max)
    assert queries.whole_months(d(9999, 12, 2), dt.date.max)["lead_to"] == dt.date.max
    assert queries.whole_months(dt.date.min, d(1, 1, 30))["lead_to"] == d(1, 1, 30)


def test_the_three_reads_of_a_period_cover_each_of_its_days_once() -> None:
    rng = random.Random(12)
    for _ in range(2000):
        first = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(800))
        last = first + dt.timedelta(days=rng.choice([0, 1, 27, 30, 31, 59, 62, 400]))
        got = queries.whole_months(first, last, rng.choice([None, "month", "quarter"]))
        months = _days(got["months_from"], got["months_end"])
        lead = _days(first, got["lead_to"])
        trail = _days(got["trail_from"], last)
        assert not months & lead
        assert not months & trail
        assert not lead & trail
        assert months | lead | trail == _days(first, last), (first, last, got)
        # the months are whole: they start on a first and end on a last day of a month
        if months:
            assert got["months_from"].day == 1
            assert (got["months_end"] + dt.timedelta(days=1)).day == 1
            assert len(lead) < 31, "a whole month left to the days"
            assert len(trail) < 31, "a whole month left to the days"


def test_instants_read_as_epoch_seconds_are_those_pandas_reads_one_by_one():
    """PostgreSQL's aware datetimes become a datetime64 column through their epoch seconds
    (queries._frame): the same instants as pandas' own conversion, whatever their offset,
    with None as NaT and the other columns as pandas reads them."""
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    rows = [
        ("A", dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=dt.UTC), 1, None),
        ("B", dt.datetime(2026, 3, 29, 3, 0, tzinfo=paris), 2, "x"),  # just after the change
        ("C", None, 3, "y"),
        ("D", dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
         4, None),
    ]  # fmt: skip
    columns = ["case_id", "created_at", "severity", "subject"]
    got = queries._typed(queries._frame(rows, columns))
    expected = queries._typed(pd.DataFrame.from_records(rows, columns=columns))
    assert got["created_at"].dt.tz is not None
    assert list(got["created_at"]) == list(expected["created_at"].dt.tz_convert("UTC"))
    assert got["created_at"].isna().tolist() == [False, False, True, False]
    assert got["created_at"][1] == pd.Timestamp("2026-03-29T01:00:00Z")
    assert got.drop(columns="created_at").equals(expected.drop(columns="created_at"))
    assert queries._frame([], columns).columns.tolist() == columns


def test_a_fragment_of_each_dialect_is_expanded_for_the_engines_own():
    """queries/_name.DIALECT.sql: the SQL each database needs for the same value (an instant
    as epoch seconds), chosen by the engine's dialect; without one, the error names both
    files it looked for."""
    sqlite = queries.load("reconcile_causes", "sqlite").sql
    postgresql = queries.load("reconcile_causes", "postgresql").sql
    assert "extract(epoch from c.created_at)" in postgresql
    assert "extract" not in sqlite
    assert "c.created_at as created_epoch" in sqlite
    with pytest.raises(queries.QueryError, match=r"_created_epoch\.sql, or one per dialect"):
        queries.load("reconcile_causes")
    with pytest.raises(queries.QueryError, match=r"_created_epoch\.oracle\.sql for oracle"):
        queries.load("reconcile_causes", "oracle")


def test_the_causes_numbers_run_on_each_database(db):
    got = queries.run(db, "reconcile_causes", filters=Filters(), as_of=fixture.AS_OF)
    assert list(got.columns) == ["target_seconds", "created_epoch", "first_response_epoch",
                                 "response_business_seconds", "resolution_business_seconds",
                                 "helpdesk_met", "stated", "helpdesk_seconds"]  # fmt: skip
