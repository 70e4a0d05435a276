"""Benchmark: every dashboard query on 1M cases, on SQLite and PostgreSQL (issue #4).

Loads 1M synthetic cases over 18 months once per database (kept between runs in the temp
folder and a `bench_queries` schema), then times each analytics function for the dashboard's
usual view (one quarter) and for a customer's quarter, median of several runs. Prints figures;
asserts nothing. Goal: each under 300 ms on SQLite on the 2-core development machine.

    .venv/bin/python -m benchmarks.bench_queries [--rows N] [--repeat N] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from sqlalchemy import func, select

from benchmarks import large
from benchmarks.bench_import import POSTGRES, WORKDIR, make_export
from benchmarks.results import report
from dashboard import analytics, queries, whatif
from dashboard.business_hours import BusinessCalendar
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.policy import load_policy
from dashboard.store import cases, make_engine, open_database

QUARTER = (dt.date(2026, 8, 1), dt.date(2026, 10, 31))
AS_OF = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
GOAL_MS = 300  # each query (issue 4)


def loaded(url: str, rows: int, policy):
    engine = open_database(url)
    with engine.connect() as connection:
        present = connection.execute(select(func.count()).select_from(cases)).scalar_one()
    if present != rows:
        if present:
            raise SystemExit(f"{url} holds {present} cases, not {rows}: drop it and run again")
        began = time.perf_counter()
        if rows > large.PART:  # ten imports of 1M, not one export of 10M (benchmarks/large.py)
            large.load(engine, rows, policy, WORKDIR / "parts")
        else:
            import_prepared(engine, [prepare_file(make_export(rows), policy)], policy)
        print(f"# loaded {rows:,} cases into {engine.dialect.name} in "
              f"{time.perf_counter() - began:.0f} s")  # fmt: skip
    return engine


def timed(function, repeat: int) -> tuple[float, int]:
    runs, size = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - began)
        size = len(result) if hasattr(result, "__len__") else 1
    return statistics.median(runs) * 1000, size


def workload(engine, policy, filters: queries.Filters):
    scope = analytics.Scope(filters, AS_OF)
    calendar = BusinessCalendar.build(policy.calendar, first_year=2025, last_year=2027)
    first, last = filters.date_from, filters.date_to
    return {
        "attainment by severity x month": lambda: analytics.attainment(
            engine, scope, by=("severity", "period")),
        "attainment by customer": lambda: analytics.attainment(engine, scope, by=("customer",)),
        "response times": lambda: analytics.response_distribution(engine, scope, policy),
        "breaches (first 1,000)": lambda: analytics.breaches(engine, scope, calendar, limit=1000),
        "at-risk queue": lambda: analytics.at_risk(engine, scope, calendar),
        "at-risk queue counted": lambda: analytics.queue_counts(engine, scope, policy),
        "at-risk queue not yet overdue": lambda: analytics.at_risk(
            engine, scope, calendar, overdue=False),
        "open cases at as-of": lambda: analytics.open_cases(engine, scope, policy),
        "backlog by day": lambda: analytics.backlog(engine, filters, first=first, last=last),
        "ageing of open cases": lambda: analytics.ageing(engine, scope, policy),
        "opened vs resolved by week": lambda: analytics.opened_resolved(engine, filters),
        "dismissals by customer": lambda: analytics.dismissals(engine, scope, by=("customer",)),
        "channels": lambda: analytics.channels(engine, scope),
        "stats headline": lambda: analytics.headline(engine, scope, policy),
        "what-if headline (in memory)": lambda: whatif.headline_under(engine, scope, policy),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    policy = load_policy()
    targets = [("SQLite", sqlite_url(args.rows))]
    if not args.skip_postgres:
        targets.append(("PostgreSQL", postgres_url(args.rows)))
    scenarios = {
        "quarter": queries.Filters(*QUARTER),
        "one customer's quarter": queries.Filters(*QUARTER, customers=("Acme Payments",)),
    }
    results = {}
    for name, url in targets:
        engine = loaded(url, args.rows, policy)
        for scenario, filters in scenarios.items():
            for label, function in workload(engine, policy, filters).items():
                results[(label, scenario, name)] = timed(function, args.repeat)
        engine.dispose()
    print(f"# {args.rows:,} cases over 18 months; as of {AS_OF:%Y-%m-%d}; median of "
          f"{args.repeat} runs, milliseconds (rows returned)")  # fmt: skip
    names = [n for n, _ in targets]
    for scenario in scenarios:
        print(f"\n{scenario:<32}" + "".join(f"{n:>18}" for n in names))
        for label in workload(None, policy, scenarios[scenario]):
            cells = []
            for n in names:
                ms, size = results[(label, scenario, n)]
                cells.append(f"{ms:>10.0f} ({size:>5})")
            print(f"{label:<32}" + "".join(f"{c:>18}" for c in cells))
    for n in names:  # the headlines are several queries, the what-if no query: not in the goal
        labels = workload(None, policy, scenarios["quarter"])
        single = {
            label: results[(label, "quarter", n)][0]
            for label in labels
            if not label.endswith(("headline", "(in memory)"))
        }
        slowest = max(single, key=single.get)
        print(f"slowest single query on {n}: {slowest}, {single[slowest]:.0f} ms (goal {GOAL_MS})")
        report(f"slowest dashboard query, a quarter ({n})", single[slowest], GOAL_MS, "ms")


def sqlite_url(rows: int) -> str:
    """The SQLite database of `rows` cases, which bench_pages shares (bench_import's own
    bench.sqlite is dropped by every run of it)."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{WORKDIR / f'queries_{rows}.sqlite'}"


def postgres_url(rows: int) -> str:
    """A schema of its own per size, so a 10M run leaves the 1M one as it is."""
    schema = "bench_queries" if rows == 1_000_000 else f"bench_queries_{rows}"
    _schema(POSTGRES, schema)
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


def _schema(url: str, schema: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"create schema if not exists {schema}")
    engine.dispose()


if __name__ == "__main__":
    main()
