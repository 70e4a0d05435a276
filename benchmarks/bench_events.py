"""Benchmark: 1M events of a ServiceNow incident audit log imported into SQLite, beside the
naive load of the same file.

The file is generated (seeded, cached in the temp folder): one row per change of an incident in
the shape of ServiceNow's incident event log (the 36 columns `number, incident_state, ...,
resolved_at, closed_at`; dates `D/M/YYYY HH:MM`, `?` for empty), about 6.8 events per incident:
`sys_mod_count` counting up, states New -> Active -> (Awaiting User Info) -> Resolved -> Closed,
some priority changes, some reopens, `made_sla` turning false late in some incidents, a few rows
out of order, `resolved_at` / `closed_at` on the late events.

The naive approach is pandas `read_csv(dtype=str)` + `to_sql` of all 36 columns as text (no
validation, no grouping, no figures); it is timed a second time reading with pyarrow, the
fastest reader pandas has (its default reader takes about 12 s making the str dtype of 1M rows,
pyarrow 2 s). Ours (`prepare_file` + `import_prepared`, what `sla-dashboard import` runs)
detects the `servicenow_events` format, validates every row, derives each incident from its
events, scores it, and stores the incidents and the events. Each run
is a fresh process on a fresh database file, so its peak memory is its own. Prints figures;
asserts nothing. Goal (issue 16, histories keep the import's figures): within 1.5x of the
naive load, under 1 GB peak (issue 12 asked for 2x and 2 GB).

    .venv/bin/python -m benchmarks.bench_events [--rows N] [--profile FILE]

--rows 100000 is a quick run (under a minute); --profile runs only ours, under cProfile.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.memory import peak_mb
from benchmarks.results import report

WORKDIR = Path(tempfile.gettempdir()) / "sla-dashboard-bench"
GENERATOR = 1  # bump when the generated file changes, so a cached one is not reused
SEED = 12
GOAL_RATIO = 1.5  # x the naive load
GOAL_PEAK_MB = 1000

HEADER = [
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count",
    "made_sla", "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at",
    "sys_updated_by", "sys_updated_at", "contact_type", "location", "category", "subcategory",
    "u_symptom", "cmdb_ci", "impact", "urgency", "priority", "assignment_group", "assigned_to",
    "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc", "vendor", "caused_by",
    "closed_code", "resolved_by", "resolved_at", "closed_at",
]  # fmt: skip
STATES = np.array(
    ["New", "Active", "Awaiting User Info", "Awaiting Problem", "Resolved", "Closed"], dtype=object
)
NEW, ACTIVE, AWAITING_USER, AWAITING_PROBLEM, RESOLVED, CLOSED = range(6)
LEVELS = np.array(["?", "1 - High", "2 - Medium", "3 - Low"], dtype=object)
PRIORITIES = np.array(["?", "1 - Critical", "2 - High", "3 - Moderate", "4 - Low"], dtype=object)
FIRST_DAY = dt.date(2016, 1, 1)
LAST_MINUTE = (dt.date(2018, 1, 1) - FIRST_DAY).days * 1440 - 1  # 31/12/2017 23:59
# The hours the clocks skipped where the policy's zone (Europe/London) sprang forward: an export
# in local time has no time in them.
SKIPPED = [(dt.date(2016, 3, 27) - FIRST_DAY).days * 1440 + 60,
           (dt.date(2017, 3, 26) - FIRST_DAY).days * 1440 + 60]  # fmt: skip


def make_export(rows: int) -> Path:
    path = WORKDIR / f"servicenow_events_{rows}_g{GENERATOR}.csv"
    if path.exists():
        return path
    WORKDIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with open(partial, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(zip(*event_columns(rows, seed=SEED), strict=True))
    partial.replace(path)
    return path


def event_columns(rows: int, *, seed: int) -> list[list[str]]:
    """The 36 columns of `rows` events, in HEADER order, as lists of text."""
    rng = np.random.default_rng(seed)
    # -- incidents: how many events each, and its fixed facts ------------------------------------
    guess = rows // 6 + 100
    more = 3 / (3 + 4.8)  # 2 + 4.8 events on average, 3.5 standard deviation, as in the real log
    counts = 2 + rng.negative_binomial(3, more, size=guess)
    while counts.sum() < rows:
        counts = np.r_[counts, 2 + rng.negative_binomial(3, more, size=guess)]
    last = int(np.searchsorted(np.cumsum(counts), rows))
    counts = counts[: last + 1].copy()
    counts[-1] -= counts.sum() - rows  # the last incident is cut where the file ends
    incidents = len(counts)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    case = np.repeat(np.arange(incidents), counts)
    j = np.arange(rows) - starts[case]  # the event's place in its incident
    k = counts[case]

    # Opened on a weekday mostly, in office hours mostly, between 1/1/2016 and 30/11/2017.
    days = np.arange((dt.date(2017, 12, 1) - FIRST_DAY).days)
    weight = np.where((days + FIRST_DAY.weekday()) % 7 < 5, 1.0, 0.2)
    hours = np.array(
        [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 14, 11, 13, 14, 13, 11, 8, 5, 3, 2, 2, 1, 1]
    )
    opened = (
        rng.choice(days, size=incidents, p=weight / weight.sum()) * 1440
        + rng.choice(24, size=incidents, p=hours / hours.sum()) * 60
        + rng.integers(0, 60, size=incidents)
    )
    opened = _existing(opened)
    open_still = rng.random(incidents) < 0.02  # not resolved when the log was exported
    reopened = ~open_still & (counts >= 5) & (rng.random(incidents) < 0.03)
    news = 1 + rng.binomial(np.maximum(counts - 3, 0), 0.25)

    # -- states ----------------------------------------------------------------------------------
    middle = rng.choice([ACTIVE, AWAITING_USER, AWAITING_PROBLEM], size=rows, p=[0.75, 0.22, 0.03])
    state = np.where(j < news[case], NEW, middle)
    done = ~open_still[case]
    state = np.where(done & (j == k - 1), np.where(k == 2, RESOLVED, CLOSED), state)
    state = np.where(done & (j == k - 2) & (k > 2), RESOLVED, state)
    again = reopened[case]
    state = np.where(again & (j == k - 4), RESOLVED, state)
    state = np.where(again & (j == k - 3), ACTIVE, state)  # reopened
    state[j == 0] = NEW

    # -- when: the first update minutes after opening, then minutes or hours apart; closed
    # five days after resolution, on the hour -----------------------------------------------------
    gaps = np.where(
        rng.random(rows) < 0.5, rng.exponential(12, rows), rng.exponential(10 * 60, rows)
    ).astype(np.int64)
    logged = rng.integers(0, 20, incidents)  # sys_created_at after opened_at
    gaps = np.where(j == 0, (opened + logged)[case] + rng.integers(0, 10, rows), gaps)
    closing = state == CLOSED
    gaps = np.where(closing, 5 * 1440 + rng.integers(0, 60, rows), gaps)
    updated = _group_cumsum(gaps, starts, counts)
    updated = np.where(closing, (updated + 59) // 60 * 60, updated)
    updated = _existing(np.minimum(updated, LAST_MINUTE))

    steps = np.where(j == 0, 1, 1 + (rng.random(rows) < 0.15) * rng.integers(1, 4, rows))
    modifications = _group_cumsum(steps, starts, counts) - 1  # 0, then some updates unlogged
    reassigned = (j > 0) & (state != NEW) & (rng.random(rows) < 0.12)
    reassignment_count = _group_cumsum(reassigned.astype(np.int64), starts, counts)
    reopen_count = (again & (j >= k - 3)).astype(np.int64)

    # The helpdesk's verdict turns false late in some incidents.
    flips = rng.random(incidents) < 0.3
    flip_at = counts // 2 + (rng.random(incidents) * (counts - counts // 2)).astype(np.int64)
    made_sla = ~(flips[case] & (j >= flip_at[case]))

    # Impact and urgency make the priority; some incidents change them once, mid-life.
    pairs = np.array([(1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 1), (2, 3), (3, 2), (3, 3)])
    usual = [0.03, 0.02, 0.02, 0.77, 0.01, 0.01, 0.07, 0.05, 0.02]
    impact, urgency = pairs[rng.choice(len(pairs), size=incidents, p=usual)].T
    new_impact, new_urgency = pairs[rng.integers(0, len(pairs), size=incidents)].T
    changes = (rng.random(incidents) < 0.05) & (counts >= 3)
    change_at = 1 + (rng.random(incidents) * (counts - 1)).astype(np.int64)
    changed = changes[case] & (j >= change_at[case])
    impact_e = np.where(changed, new_impact[case], impact[case])
    urgency_e = np.where(changed, new_urgency[case], urgency[case])
    priority = np.minimum(impact_e + urgency_e - 1, 4)  # 1+1 critical ... 3+3 low
    confirmed = np.where(
        changed, "true", np.where(rng.random(incidents) < 0.06, "true", "false")[case]
    )

    # resolved_at on the events from a resolution on (cleared when reopened), closed_at on the
    # closing event: the times of those events.
    resolving = state == RESOLVED
    last_resolving = np.maximum.accumulate(np.where(resolving, np.arange(rows), -1))
    resolved_text = np.where(
        (resolving | closing) & (last_resolving >= starts[case]),
        _instants(updated[np.maximum(last_resolving, 0)]),
        "?",
    )
    closed_text = np.where(closing, _instants(updated), "?")

    # -- who and what --------------------------------------------------------------------------
    def names(prefix: str, size: int, n: int, *, empty: float = 0.0, skew: float = 2.0):
        """'Prefix N', N in 1..size, the low numbers the most frequent (as in the real log)."""
        picked = 1 + (size * rng.random(n) ** skew).astype(np.int64)
        values = _numbered(prefix, size)[picked]
        if empty:
            values[rng.random(n) < empty] = "?"
        return values

    caller = names("Caller ", 5200, incidents)
    assignee_base = rng.integers(1, 250, incidents)
    group_base = rng.integers(1, 80, incidents)
    group = _numbered("Group ", 120)[(group_base[case] + 7 * reassignment_count) % 120 + 1]
    assignee = _numbered("Resolver ", 260)[
        (assignee_base[case] + 13 * reassignment_count) % 250 + 1
    ]
    assignee = np.where(state == NEW, "?", assignee)
    created_by = names("Created by ", 200, incidents, empty=0.3)
    created_at = np.where(created_by == "?", "?", _instants(_existing(opened + logged)))
    updated_by = np.where(closing, "Updated by 908", names("Updated by ", 1000, rows, skew=3.0))
    channel = rng.choice(
        np.array(["Phone", "Email", "Self service", "IVR", "Direct opening"], dtype=object),
        size=incidents,
        p=[0.96, 0.02, 0.015, 0.004, 0.001],
    )
    rfc = np.where(
        rng.random(incidents) < 0.02,
        _numbered("CHG", 5000, width=7)[rng.integers(1, 5000, incidents)],
        "?",
    )

    per_incident = {
        "number": np.array(
            [f"INC{n:07d}" for n in np.cumsum(rng.integers(1, 4, incidents))], dtype=object
        ),
        "caller_id": caller,
        "opened_by": names("Opened by  ", 500, incidents, empty=0.01),
        "opened_at": _instants(opened),
        "sys_created_by": created_by,
        "sys_created_at": created_at,
        "contact_type": channel,
        "location": names("Location ", 230, incidents, empty=0.003),
        "category": names("Category ", 60, incidents, empty=0.008),
        "subcategory": names("Subcategory ", 300, incidents, empty=0.008),
        "u_symptom": names("Symptom ", 600, incidents, empty=0.22),
        "cmdb_ci": names("Configuration item ", 300, incidents, empty=0.99),
        "knowledge": np.where(rng.random(incidents) < 0.15, "true", "false"),
        "notify": np.where(rng.random(incidents) < 0.001, "Send Email", "Do Not Notify"),
        "problem_id": names("Problem ID  ", 300, incidents, empty=0.97),
        "rfc": rfc,
        "vendor": names("Vendor ", 5, incidents, empty=0.999),
        "caused_by": np.where(rng.random(incidents) < 0.001, "CHG0000132", "?"),
        "closed_code": names("code ", 17, incidents, empty=0.005),
        "resolved_by": names("Resolved by ", 230, incidents, empty=0.002),
    }
    small = _numbered("", 1000)
    per_event = {
        "incident_state": STATES[state],
        "active": np.where(closing, "false", "true"),
        "reassignment_count": small[reassignment_count],
        "reopen_count": small[reopen_count],
        "sys_mod_count": small[np.minimum(modifications, 999)],
        "made_sla": np.where(made_sla, "true", "false"),
        "sys_updated_by": updated_by,
        "sys_updated_at": _instants(updated),
        "impact": LEVELS[impact_e],
        "urgency": LEVELS[urgency_e],
        "priority": PRIORITIES[priority],
        "assignment_group": group,
        "assigned_to": assignee,
        "u_priority_confirmation": confirmed,
        "resolved_at": resolved_text,
        "closed_at": closed_text,
    }

    # -- file order: by incident and update, but a few rows swapped within their incident and a
    # few more moved elsewhere in the file ---------------------------------------------------------
    key = np.arange(rows, dtype=np.float64)
    swap = (j < k - 1) & (rng.random(rows) < 0.01)
    key[swap] += 1.5  # after its successor
    moved = rng.random(rows) < 0.001
    key[moved] = rng.uniform(0, rows, int(moved.sum()))
    order = np.argsort(key, kind="stable")
    columns = []
    for name in HEADER:
        values = per_event[name] if name in per_event else per_incident[name][case]
        columns.append(np.asarray(values, dtype=object)[order].tolist())
    return columns


def _group_cumsum(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    return total - np.repeat(total[starts] - values[starts], counts)


def _existing(minutes: np.ndarray) -> np.ndarray:
    """Times in a skipped hour moved past it."""
    for start in SKIPPED:
        minutes = np.where((minutes >= start) & (minutes < start + 60), minutes + 60, minutes)
    return minutes


def _numbered(prefix: str, size: int, *, width: int = 0) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(size + 1)], dtype=object)


def _instants(minutes: np.ndarray) -> np.ndarray:
    """Minutes since 1/1/2016 00:00 -> `D/M/YYYY HH:MM` (no leading zero on day and month)."""
    day_count = int(minutes.max()) // 1440 + 1
    dates = [FIRST_DAY + dt.timedelta(days=d) for d in range(day_count)]
    day_text = np.array([f"{d.day}/{d.month}/{d.year} " for d in dates], dtype=object)
    clock_text = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)], dtype=object)
    return day_text[minutes // 1440] + clock_text[minutes % 1440]


def run(kind: str, path: Path, *, profile: str | None = None) -> dict:
    """Run one measured load in a child process on a fresh database file."""
    database = WORKDIR / f"events_{kind}.sqlite"
    for leftover in WORKDIR.glob(f"{database.name}*"):
        leftover.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_events", "--child", kind, str(path),
         f"sqlite:///{database}", *(["--profile", profile] if profile else [])],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(kind: str, path: str, url: str, profile: str | None = None) -> None:
    import pandas as pd
    import sqlalchemy

    from dashboard.store import make_engine, upgrade_schema

    engine = make_engine(url)
    if kind == "ours":
        upgrade_schema(engine)  # what `import` does to a new file, outside the timing
    began = time.perf_counter()
    phases = {}
    if kind.startswith("naive"):
        reader = {"engine": "pyarrow"} if kind == "naive-arrow" else {}
        frame = pd.read_csv(path, dtype=str, **reader)
        phases["read_csv"] = time.perf_counter() - began
        frame.to_sql("events_naive", engine, index=False, chunksize=20_000)
        counted = {"rows": "select count(*) from events_naive"}
    else:
        from dashboard.importer.prepare import prepare_file
        from dashboard.importing import import_prepared
        from dashboard.policy import load_policy

        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        policy = load_policy()
        prepared = prepare_file(path, policy, as_of=int(time.time()))
        phases["prepare"] = time.perf_counter() - began
        [report] = import_prepared(engine, [prepared], policy)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        if prepared.detection.format.name != "servicenow_events":
            raise SystemExit(f"detected {prepared.detection.format.name}, not servicenow_events")
        phases["rejected"] = report.rejected
        counted = {
            "rows": "select count(*) from case_events",
            "cases": "select count(*) from cases",
        }
    seconds = time.perf_counter() - began
    with engine.connect() as connection:
        counts = {
            k: connection.execute(sqlalchemy.text(q)).scalar_one() for k, q in counted.items()
        }
    engine.dispose()
    peak = peak_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak, **counts, **phases}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000, help="events (default 1M)")
    parser.add_argument(
        "--profile", metavar="FILE", help="instead: profile ours (cProfile) into FILE, print it"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, profile=args.profile)
        return

    began = time.perf_counter()
    path = make_export(args.rows)
    print(f"# event-log import benchmark: {args.rows:,} ServiceNow events, "
          f"{path.stat().st_size / 1e6:.0f} MB (generated in {time.perf_counter() - began:.0f} s), "
          "SQLite")  # fmt: skip
    if args.profile:
        run("ours", path, profile=args.profile)
        print(f"profile of ours written to {args.profile}:")
        import pstats

        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)
        return
    naive = run("naive", path)
    arrow = run("naive-arrow", path)
    ours = run("ours", path)
    print(f"{'load':<44}{'seconds':>8}{'events/s':>10}{'peak MB':>9}{'x naive':>9}")
    for label, result in (
        ("naive: read_csv(dtype=str) + to_sql", naive),
        ("  the same, read_csv(engine='pyarrow')", arrow),
        ("ours: detect, validate, derive, score, store", ours),
    ):
        print(
            f"{label:<44}{result['seconds']:>8.1f}{args.rows / result['seconds']:>10,.0f}"
            f"{result['peak_mb']:>9.0f}{result['seconds'] / naive['seconds']:>9.2f}"
        )
    for label, result in (("naive", naive), ("pyarrow", arrow)):
        print(
            f"{label}: read_csv {result['read_csv']:.1f} s + to_sql "
            f"{result['seconds'] - result['read_csv']:.1f} s, {result['rows']:,} rows stored"
        )
    print(
        f"ours: prepare {ours['prepare']:.1f} s (read, detect, validate, derive, score) + write "
        f"{ours['seconds'] - ours['prepare']:.1f} s; {ours['rows']:,} events and "
        f"{ours['cases']:,} incidents stored, {ours['rejected']:,} rows rejected"
    )
    ratio = ours["seconds"] / naive["seconds"]
    met = ratio <= GOAL_RATIO and ours["peak_mb"] < GOAL_PEAK_MB
    print(
        f"goal (<= {GOAL_RATIO:.2f} x naive, peak < {GOAL_PEAK_MB:,} MB): "
        f"{'met' if met else 'NOT met'}, {ratio:.2f} x "
        f"({ours['seconds'] / arrow['seconds']:.2f} x the pyarrow reading), "
        f"peak {ours['peak_mb']:,.0f} MB"
    )
    size = f"{args.rows // 1000:,}k" if args.rows < 1_000_000 else f"{args.rows // 1_000_000}M"
    report(f"event-log import x naive ({size} events, SQLite)", ratio, GOAL_RATIO, "x")
    report(f"event-log import peak MB ({size} events, SQLite)", ours["peak_mb"], GOAL_PEAK_MB, "MB")


if __name__ == "__main__":
    main()
