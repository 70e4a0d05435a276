"""Benchmark: checking a policy with 1k, 10k and 100k closures, as the what-if editor does.

The Policy page's what-if editor hands whatever closures are typed to `parse_policy`, which
refuses a day listed twice. That check compared each closure with every earlier one
(quadratic: 100k closures, 5 billion comparisons); it is now a set lookup (issue 13). Prints
the seconds of the whole check (best of three) beside the old scan alone (run up to 10k; at
100k it would take minutes, so it is estimated from 10k, quadratically). Asserts nothing.

    .venv/bin/python -m benchmarks.bench_policy [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import time
import tomllib

from benchmarks.results import report
from dashboard.policy import DEFAULT_POLICY_PATH, parse_policy

OLD_SCAN_UP_TO = 10_000


def closures(count: int) -> list[str]:
    first = dt.date(1990, 1, 1).toordinal()
    return [dt.date.fromordinal(first + i).isoformat() for i in range(count)]


def check_now(document: dict, days: list[str]) -> float:
    """The bundled policy with these closures, checked as the what-if editor checks it."""
    edited = copy.deepcopy(document)
    edited["calendar"]["closures"] = days
    began = time.perf_counter()
    parse_policy(edited, source="the what-if editor")
    return time.perf_counter() - began


def old_scan(days: list[str]) -> float:
    """The repeat check as it was: each day against every day before it."""
    parsed = [dt.date.fromisoformat(d) for d in days]
    began = time.perf_counter()
    seen: list[dt.date] = []
    for day in parsed:
        assert all(earlier != day for earlier in seen)
        seen.append(day)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    sizes = parser.parse_args().sizes
    document = tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    check_now(document, closures(10))  # the first check loads the holiday library: not timed
    print(f"{'closures':>9}  {'policy check now':>17}  {'old repeat scan alone':>22}")
    measured: dict[int, float] = {}
    for count in sizes:
        days = closures(count)
        now = min(check_now(document, days) for _ in range(3))
        if count <= OLD_SCAN_UP_TO:
            measured[count] = old_scan(days)
            old = f"{measured[count]:.3f} s"
        elif measured:
            base = max(measured)
            old = f"~{measured[base] * (count / base) ** 2:,.0f} s (estimated)"
        else:
            old = "not run"
        print(f"{count:>9,}  {now:>15.3f} s  {old:>22}")
    report(f"policy check, {sizes[-1]:,} closures", now, None, "s")


if __name__ == "__main__":
    main()
