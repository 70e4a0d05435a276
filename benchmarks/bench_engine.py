"""Benchmark: 1M synthetic cases through response hours + deadline + status (issue #2).

Prints figures; asserts nothing. The same cases, sampled, go through businesstimedelta and
pandas' CustomBusinessHour (benchmark-only dependencies: `pip install -e '.[bench]'`) for speed
ratios, and their disagreements with our engine are counted.

    make bench        or        .venv/bin/python -m benchmarks.bench_engine [--cases N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import time

import numpy as np
import pandas as pd

from benchmarks.memory import peak_mb
from dashboard.business_hours import BusinessCalendar
from dashboard.policy import load_policy
from dashboard.sla import score, target_seconds
from dashboard.vocabulary import STATUSES

GOAL_NS = 100  # issue 16


def synthetic_cases(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    """Cases created at any hour over 2025-2026, answered after minutes to days."""
    rng = np.random.default_rng(seed)
    start = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(2027, 1, 1, tzinfo=dt.UTC).timestamp())
    created = rng.integers(start, end, n, dtype=np.int64)
    delay = rng.exponential(1.5 * 86400, n).astype(np.int64)
    delay[rng.random(n) < 0.005] *= -1  # a few answered "before" creation: invalid
    return {
        "created": created,
        "responded": created + delay,
        "answered": rng.random(n) >= 0.05,
        "levels": rng.integers(1, 5, n),
    }


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2_000, help="cases for the other engines")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    policy = load_policy()
    cases = synthetic_cases(args.cases)
    as_of = int(dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC).timestamp())
    targets = target_seconds(policy, cases["levels"])

    build = timed(lambda: BusinessCalendar.covering(policy.calendar, cases["created"], as_of), 3)
    calendar = BusinessCalendar.covering(
        policy.calendar, cases["created"], cases["responded"], as_of
    )

    def ours():
        return score(
            calendar,
            created=cases["created"],
            responded=cases["responded"],
            answered=cases["answered"],
            targets=targets,
            as_of=as_of,
        )

    runs = timed(ours, args.repeat)
    figures = ours()
    per_case = [t / args.cases * 1e9 for t in runs]

    print(f"# business-hour engine benchmark ({platform.python_version()}, numpy {np.__version__},")
    print(f"#   pandas {pd.__version__}, {os.cpu_count()} CPUs, {platform.machine()})")
    print(f"cases                          {args.cases:>12,}")
    print(
        f"calendar build (years {calendar.first_year}-{calendar.last_year})  "
        f"{min(build) * 1e3:>8.1f} ms"
    )
    print(
        f"response + deadline + status   {min(per_case):>8.1f} ns/case best, "
        f"{statistics.median(per_case):.1f} median of {args.repeat}  (goal <= {GOAL_NS})"
    )
    print(f"  total per run                {min(runs) * 1e3:>8.1f} ms")
    print(f"peak RSS                       {_peak_rss_mb():>8.0f} MB")
    counts = np.bincount(figures.status, minlength=len(STATUSES))
    print(f"statuses {'/'.join(STATUSES)}  {'/'.join(str(c) for c in counts)}")

    rng = np.random.default_rng(11)
    sample = rng.choice(args.cases, size=min(args.sample, args.cases), replace=False)
    sample = sample[
        cases["answered"][sample] & (cases["responded"][sample] >= cases["created"][sample])
    ]
    ours_ns = statistics.median(per_case)
    print()
    print(f"{'engine':<34}{'us/case':>10}{'x ours':>10}{'disagree':>10}{'> 1 s':>8}  on")
    _compare_businesstimedelta(policy, calendar, cases, sample, figures, ours_ns)
    _compare_custom_business_hour(policy, calendar, cases, sample, figures, targets, ours_ns)
    # Last, one line for the summary that collects every benchmark's figures (issue 16).
    result = {
        "figure": f"engine ns/case ({_count(args.cases)})",
        "value": round(ours_ns, 1),
        "goal": GOAL_NS,
        "unit": "ns",
        "lower_is_better": True,
    }
    print(f"RESULT {json.dumps(result)}")


def _count(n: int) -> str:
    """1000000 -> '1M', 300000 -> '300k': the case count as the figure's name says it."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size and n % size == 0:
            return f"{n // size}{suffix}"
    return f"{n:,}"


def _compare_businesstimedelta(policy, calendar, cases, sample, figures, ours_ns) -> None:
    try:
        import businesstimedelta
        import pytz
    except ImportError:
        print("businesstimedelta                 not installed (pip install -e '.[bench]')")
        return
    zone = pytz.timezone(policy.calendar.timezone)
    closed = list(calendar.closed_days)
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=dt.time(9), end_time=dt.time(18), working_days=[0, 1, 2, 3, 4], tz=zone
            ),
            businesstimedelta.HolidayRule(closed, tz=zone),
        ]
    )

    def aware(seconds):
        return dt.datetime.fromtimestamp(int(seconds), dt.UTC).astimezone(zone)

    def naive_local(seconds):
        return aware(seconds).replace(tzinfo=None)

    for label, convert in (("aware London input", aware), ("naive local input", naive_local)):
        began = time.perf_counter()
        theirs = []
        for i in sample:
            delta = rules.difference(convert(cases["created"][i]), convert(cases["responded"][i]))
            theirs.append(delta.hours * 3600 + delta.seconds)
        elapsed = (time.perf_counter() - began) / len(sample)
        diff = np.abs(np.array(theirs) - figures.response_seconds[sample])
        print(
            f"{'businesstimedelta response':<34}{elapsed * 1e6:>10.1f}"
            f"{elapsed * 1e9 / ours_ns:>10.0f}{int((diff > 0).sum()):>10}"
            f"{int((diff > 1).sum()):>8}  {len(sample)} cases, {label}"
        )


def _compare_custom_business_hour(policy, calendar, cases, sample, figures, targets, ours_ns):
    zone = policy.calendar.timezone
    closed = [d.isoformat() for d in calendar.closed_days]

    def theirs_for(created_seconds, target_seconds):
        began = time.perf_counter()
        deadlines = []
        for created_at, target in zip(created_seconds, target_seconds, strict=True):
            created = pd.Timestamp(int(created_at), unit="s", tz="UTC").tz_convert(zone)
            offset = pd.offsets.CustomBusinessHour(
                n=int(target // 3600), start="09:00", end="18:00", holidays=closed
            )
            local = (created.tz_localize(None) + offset).tz_localize(zone)
            deadlines.append(int(local.timestamp()))
        return np.array(deadlines), (time.perf_counter() - began) / len(created_seconds)

    theirs, elapsed = theirs_for(cases["created"][sample], targets[sample])
    diff = np.abs(theirs - figures.deadline[sample])
    print(f"{'pandas CustomBusinessHour deadline':<34}{elapsed * 1e6:>10.1f}"
          f"{elapsed * 1e9 / ours_ns:>10.0f}{int((diff > 0).sum()):>10}"
          f"{int((diff > 1).sum()):>8}  {len(sample)} cases")  # fmt: skip

    # Cases whose deadline is 18:00 exactly (created on the hour, whole-hour targets): random
    # instants almost never land there, so build some to show what pandas does with them.
    days = pd.bdate_range("2026-01-05", "2026-06-26", freq="C", holidays=closed, tz=zone)
    created = np.array([int((d + pd.Timedelta(hours=14)).timestamp()) for d in days])
    four_hours = np.full(created.size, 4 * 3600)
    ours = calendar.deadline(created, four_hours)
    theirs, _ = theirs_for(created, four_hours)
    at_close = int((theirs != ours).sum())
    print(
        f"{'pandas CustomBusinessHour deadline':<34}{'':>10}{'':>10}{at_close:>10}"
        f"{at_close:>8}  {created.size} cases due at 18:00 exactly: pandas says next opening"
    )


def _peak_rss_mb() -> float:
    return peak_mb()


if __name__ == "__main__":
    main()
