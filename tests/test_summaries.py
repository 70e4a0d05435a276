"""dashboard/summaries.py and the tables by month: a period read as its whole months (from
case_counts_by_month, verdict_counts_by_month, time_lists_by_month) and the days around them
(from the daily tables) gives exactly what reading every day gives, on SQLite and PostgreSQL,
for periods cut anywhere in a month and after every kind of write."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from dashboard import importing, queries, sample_data, sources, store, summaries, time_lists
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.policy import parse_policy
from dashboard.queries import Filters
from dashboard.recompute import recompute_stored
from dashboard.store import (
    SUMMARIES,
    case_counts_by_month,
    cases,
    open_database,
    time_lists_by_month,
)
from tests.helpers import policy_dict, vendor_policy

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_cases.csv"
POLICY = vendor_policy()
AS_OF = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
# every query that reads a summary table through a _*_of_period.sql fragment, with the grains
# it is asked for (a week is read by day: it may straddle two months)
READS = [
    ("attainment", {"grain": "month"}),
    ("attainment", {"grain": "quarter"}),
    ("attainment", {"grain": "week"}),
    ("dismissals", {"grain": "month"}),
    ("dismissals", {"grain": "day"}),
    ("channels", {}),
    ("reconcile_counts", {}),
]


def _every_day(first: dt.date, last: dt.date, grain: str | None = None) -> dict:
    """whole_months' answer without a whole month: every day from the daily tables."""
    return {"months_from": None, "months_end": None, "lead_to": last, "trail_from": None}


@pytest.fixture
def sample(engine):
    import_prepared(engine, [prepare_file(SAMPLE, POLICY)], POLICY, source="portal")
    return engine


def _periods(engine) -> list[tuple[dt.date, dt.date]]:
    """Periods cut on and off month bounds over the data: a whole month, whole months with
    days before and after, days of one month only, one day, all time, and random ones."""
    with engine.connect() as connection:
        first, last = connection.execute(
            select(func.min(cases.c.created_local_date), func.max(cases.c.created_local_date))
        ).one()
    month = dt.date(first.year, first.month, 1) + dt.timedelta(days=62)
    month = month.replace(day=1)  # a month well inside the data
    end_of_month = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    chosen = [
        (dt.date(2000, 1, 1), dt.date(2100, 1, 1)),
        (first, last),
        (month, end_of_month),
        (month + dt.timedelta(days=3), end_of_month + dt.timedelta(days=40)),
        (month - dt.timedelta(days=9), end_of_month),
        (month, end_of_month + dt.timedelta(days=1)),
        (month + dt.timedelta(days=1), end_of_month - dt.timedelta(days=1)),
        (month + dt.timedelta(days=5), month + dt.timedelta(days=5)),
    ]
    rng = random.Random(16)
    span = (last - first).days
    for _ in range(8):
        a, b = sorted(rng.randrange(-10, span + 10) for _ in range(2))
        chosen.append((first + dt.timedelta(days=a), first + dt.timedelta(days=b)))
    return chosen


def _filters(engine, period) -> list[Filters]:
    with engine.connect() as connection:
        customer = connection.execute(select(func.min(cases.c.customer))).scalar_one()
    first, last = period
    return [
        Filters(date_from=first, date_to=last),
        Filters(date_from=first, date_to=last, customers=(customer,), severities=(2, 3)),
        Filters(date_from=first, date_to=last, scope=(customer,), channels=("email",)),
    ]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _reads(engine) -> dict:
    """Every read over every period and filter: query results and the time lists' times."""
    out = {}
    for period in _periods(engine):
        for filters in _filters(engine, period):
            for name, params in READS:
                frame = queries.run(engine, name, filters=filters, as_of=AS_OF, **params)
                out[(name, str(params), filters)] = _sorted(frame)
            for kind, times in (
                ("response", time_lists.response_times(engine, filters)),
                ("resolution", time_lists.resolution_times(engine, filters, AS_OF)),
            ):
                column = time_lists.RESPONSE if kind == "response" else time_lists.RESOLUTION
                pairs = zip(times["severity"].tolist(), times[column].tolist(), strict=True)
                out[(kind, filters)] = Counter(pairs)
    return out


def _assert_same(by_month: dict, by_day: dict) -> None:
    assert by_month.keys() == by_day.keys()
    for key, got in by_month.items():
        if isinstance(got, Counter):
            assert got == by_day[key], key
        else:
            pd.testing.assert_frame_equal(got, by_day[key], check_dtype=False, obj=str(key))


def _monthly_reads_agree(engine, monkeypatch) -> dict:
    by_month = _reads(engine)
    with monkeypatch.context() as patched:
        patched.setattr(queries, "whole_months", _every_day)
        by_day = _reads(engine)
    _assert_same(by_month, by_day)
    return by_month


def test_whole_months_read_by_month_give_what_every_day_gives(sample, monkeypatch):
    reads = _monthly_reads_agree(sample, monkeypatch)
    # the reads found cases, in most periods and through the months' tables
    counted = [r for k, r in reads.items() if k[0] == "attainment" and not r.empty]
    assert len(counted) > 40
    with sample.connect() as connection:
        assert connection.execute(select(func.count()).select_from(case_counts_by_month)).scalar()
        assert connection.execute(select(func.count()).select_from(time_lists_by_month)).scalar()


def test_the_months_follow_a_second_source_a_recompute_and_a_removal(sample, monkeypatch):
    import_prepared(sample, [prepare_file(SAMPLE, POLICY)], POLICY, source="email",
                    keep_both=True)  # fmt: skip
    _monthly_reads_agree(sample, monkeypatch)
    # another zone moves cases across local days, and so across months
    recompute_stored(sample, parse_policy(policy_dict(timezone="Pacific/Auckland")),
                     everything=True)  # fmt: skip
    _monthly_reads_agree(sample, monkeypatch)
    sources.remove_source(sample, "portal", "tester")
    reads = _monthly_reads_agree(sample, monkeypatch)
    assert any(not r.empty for k, r in reads.items() if k[0] == "channels")
    sources.remove_source(sample, "email", "tester")
    with sample.connect() as connection:
        for table in (case_counts_by_month, time_lists_by_month):
            assert connection.execute(select(func.count()).select_from(table)).scalar() == 0


@pytest.mark.slow
def test_sorts_cut_into_runs_for_two_cores_give_the_same_summaries_and_indexes(
    tmp_path, monkeypatch
):
    """SQLite sorts larger than store.SORT_RUN_KIB in runs on two cores (the summaries of a
    million cases, the indexes of a large import): the same tables as one sort in memory.
    40,000 cases (a database of over 20 MB, larger than the writer's cache here) sort in
    several runs of the least size SQLite takes (1 MB)."""
    path = tmp_path / "many.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        sample_data.write(sample_data.generate(POLICY, cases=40_000, seed=16), out)
    prepared = prepare_file(path, POLICY)
    monkeypatch.setattr(importing, "LARGE_WRITE", 2)  # the indexes rebuilt, sorted
    caches = []

    @contextlib.contextmanager
    def spied(connection):
        with store.sorting_on_two_cores(connection):
            caches.append(connection.exec_driver_sql("pragma cache_size").scalar_one())
            yield

    monkeypatch.setattr(importing, "sorting_on_two_cores", spied)
    monkeypatch.setattr(summaries, "sorting_on_two_cores", spied)
    stored = {}
    # a cache that holds every sort whole; then one smaller than the database, cut to 1 KiB
    for writer_kib, run_kib in ((1 << 20, 1 << 20), (4 * 1024, 1)):
        monkeypatch.setattr(store, "WRITER_CACHE_KIB", writer_kib)
        monkeypatch.setattr(store, "SORT_RUN_KIB", run_kib)
        engine = open_database(f"sqlite:///{tmp_path / f'runs_{run_kib}.sqlite'}")
        try:
            import_prepared(engine, [prepared], POLICY, source="portal")
            # a first import counts its summaries in memory: the SQL refresh sorts them
            with store.writing(engine) as connection:
                summaries.refresh_summaries(connection)
            with engine.connect() as connection:
                check = connection.exec_driver_sql("pragma integrity_check").scalar_one()
                assert check == "ok"  # every index holds exactly the table's rows
                stored[run_kib] = {
                    table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
                    for table in SUMMARIES
                }
        finally:
            engine.dispose()
    assert caches == [-(1 << 20)] * 2 + [-1] * 2  # the indexes, the summaries; each import
    assert sum(len(rows) for rows in stored[1].values()) > 40_000
    assert stored[1] == stored[1 << 20]
