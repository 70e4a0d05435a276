"""The local week, month and quarter a local day belongs to, as the database stores them:
the cases' created_local_week/month/quarter and calendar_days' week, month and quarter (which
the summaries group by) come from these functions alone."""

from __future__ import annotations

import numpy as np


def week_starts(days: np.ndarray) -> np.ndarray:
    """The Monday opening each day's ISO week (1970-01-01 was a Thursday)."""
    ordinal = days.astype(np.int64)
    return (ordinal - (ordinal + 3) % 7).astype("datetime64[D]")


def months(days: np.ndarray) -> np.ndarray:
    """'YYYY-MM' of each day, as np.datetime_as_string writes a month: a few distinct months,
    each written once (that function costs about a microsecond a value)."""
    distinct, position = np.unique(days.astype("datetime64[M]"), return_inverse=True)
    labels = np.datetime_as_string(distinct, unit="M").astype(object)
    return labels[position.reshape(-1)]


def quarters(days: np.ndarray) -> np.ndarray:
    """'YYYY-Qn' of each day; a handful of distinct quarters, so label each once."""
    quarter = days.astype("datetime64[M]").astype(np.int64) // 3  # quarters since 1970
    distinct, position = np.unique(quarter, return_inverse=True)
    labels = np.array([f"{q // 4 + 1970}-Q{q % 4 + 1}" for q in distinct], dtype=object)
    return labels[position]
