"""Generate the bundled sample export `data/sample_cases.csv` (a seeded, plausible support year).

Run `python -m dashboard.sample_data > data/sample_cases.csv` to regenerate it. The file is
committed, so figures derived from it (tests/snapshots) stay stable even if this code changes.
It includes a handful of deliberate data problems, so a first run shows what rejects look like.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from typing import TextIO

import numpy as np

from dashboard.business_hours import BusinessCalendar
from dashboard.policy import Policy, load_policy

CUSTOMERS = (
    ("Northwind Logistics", 0.22),
    ("Acme Payments", 0.18),
    ("Globex Retail", 0.15),
    ("Initech Cloud", 0.13),
    ("Umbrella Health", 0.11),
    ("Stark Mobility", 0.09),
    ("Wayne Media", 0.07),
    ("Tyrell Energy", 0.05),
)
SEVERITY_SHARE = (0.05, 0.17, 0.33, 0.45)
DISMISSAL_REASONS = (
    ("third_party", 0.45),
    ("not_flux", 0.30),
    ("infrastructure_access", 0.18),
    ("other", 0.07),
)


def generate(policy: Policy, *, cases: int = 600, seed: int = 20260101) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    start = int(dt.datetime(2026, 1, 2, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(2026, 11, 20, tzinfo=dt.UTC).timestamp())
    calendar = BusinessCalendar.covering(policy.calendar, start, end)

    # Most cases arrive in business hours; the rest at night or at weekends.
    in_hours = rng.random(cases) < 0.8
    business_span = int(calendar.clock(end) - calendar.clock(start))
    business_created = calendar.instant_at(
        calendar.clock(start) + rng.integers(1, business_span, cases)
    )
    anytime_created = rng.integers(start, end, cases)
    created = np.sort(np.where(in_hours, business_created, anytime_created))

    levels = rng.choice([1, 2, 3, 4], size=cases, p=SEVERITY_SHARE)
    targets = np.array([0] + [s.response_seconds for s in policy.severities])[levels]
    # Response in business time, as a share of the target: most well inside, some over.
    share = rng.lognormal(mean=-1.0, sigma=0.75, size=cases)
    delay = np.maximum(60, (share * targets).astype(np.int64))
    responded = calendar.instant_at(calendar.clock(created) + delay)
    unanswered = created > end - 3 * 86400  # the newest cases are still waiting
    unanswered |= rng.random(cases) < 0.01

    resolve_delay = rng.exponential(3 * 86400, cases).astype(np.int64) + 1800
    resolved = responded + resolve_delay
    still_open = (resolved > end) | unanswered | (rng.random(cases) < 0.03)

    dismissed = rng.random(cases) < 0.08
    reasons = rng.choice(
        [r for r, _ in DISMISSAL_REASONS], cases, p=[p for _, p in DISMISSAL_REASONS]
    )
    email = rng.random(cases) < np.where(levels <= 2, 0.15, 0.04)
    customers = rng.choice([c for c, _ in CUSTOMERS], cases, p=[p for _, p in CUSTOMERS])

    rows = []
    for i in range(cases):
        status = (
            "dismissed"
            if dismissed[i] and not still_open[i]
            else ("open" if still_open[i] else "resolved")
        )
        rows.append(
            {
                "case_id": f"FLX-{1001 + i}",
                "customer": str(customers[i]),
                "severity": f"Level {levels[i]} - {policy.severity(int(levels[i])).name}",
                "created_at": _iso(created[i]),
                "first_response_at": "" if unanswered[i] else _iso(responded[i]),
                "resolved_at": "" if still_open[i] else _iso(resolved[i]),
                "status": status,
                "channel": "email" if email[i] else "portal",
                "dismissal_reason": str(reasons[i]) if status == "dismissed" else "",
            }
        )
    _add_data_problems(rows)
    return rows


def _add_data_problems(rows: list[dict[str, str]]) -> None:
    """Real exports carry mistakes; the sample shows how each is reported."""
    rows[40]["first_response_at"], rows[40]["created_at"] = (
        rows[40]["created_at"],
        rows[40]["first_response_at"] or rows[40]["created_at"],
    )  # answered "before" it was opened: scored as invalid
    rows[120]["severity"] = "P0"  # no such level: rejected
    rows[230]["created_at"] = "31/06/2026 10:00"  # not ISO 8601 (and no 31 June): rejected
    rows[310]["case_id"] = rows[309]["case_id"]  # exported twice: the second is rejected


def _iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(rows: list[dict[str, str]], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


if __name__ == "__main__":
    write(generate(load_policy()), sys.stdout)
