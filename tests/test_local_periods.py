"""dashboard/local_periods.py: the week, month and quarter of a local day, as stored."""

from __future__ import annotations

import numpy as np

from dashboard.local_periods import months, quarters, week_starts


def _days(*iso: str) -> np.ndarray:
    return np.array(iso, dtype="datetime64[D]")


def test_a_week_starts_on_its_monday_across_years():
    days = _days("2024-12-29", "2024-12-30", "2025-01-01", "2025-01-05", "1970-01-01")
    assert week_starts(days).tolist() == [
        np.datetime64(d, "D").item()
        for d in ("2024-12-23", "2024-12-30", "2024-12-30", "2024-12-30", "1969-12-29")
    ]


def test_months_and_quarters_are_labelled_as_stored():
    days = _days("2025-12-31", "2026-01-01", "2026-03-31", "2026-04-01", "1969-12-31")
    assert months(days).tolist() == ["2025-12", "2026-01", "2026-03", "2026-04", "1969-12"]
    assert quarters(days).tolist() == ["2025-Q4", "2026-Q1", "2026-Q1", "2026-Q2", "1969-Q4"]
