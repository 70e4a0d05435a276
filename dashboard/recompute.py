"""Re-score stored cases under the policy in force: `sla-dashboard recompute`.

Only the computed columns (local periods, deadline, business response time, verdict, policy
fingerprint) are rewritten; the imported fields never are. Cases already scored under this
policy are left alone unless everything is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from dashboard.bulk_write import update_rows
from dashboard.business_hours import BusinessCalendar
from dashboard.errors import DashboardError
from dashboard.importing import _set, derived_frame, refresh_calendar_days
from dashboard.policy import Policy
from dashboard.sla import score, target_seconds
from dashboard.store import LARGE_WRITE, cases, refresh_statistics, writing
from dashboard.summaries import refresh_summaries

_CHUNK = 200_000


@dataclass(frozen=True)
class RecomputeReport:
    recomputed: int
    already_current: int
    policy_fingerprint: str


@dataclass(frozen=True)
class _StoredCases:
    """The imported fields `score` and `derived_frame` need, as the validator would give them."""

    frame: pd.DataFrame
    created_at: np.ndarray
    first_response_at: np.ndarray
    has_first_response_at: np.ndarray
    resolved_at: np.ndarray
    has_resolved_at: np.ndarray


def recompute_stored(
    engine: Engine, policy: Policy, *, everything: bool = False
) -> RecomputeReport:
    columns = [
        cases.c.source, cases.c.case_id, cases.c.severity, cases.c.created_at,
        cases.c.first_response_at, cases.c.resolved_at, cases.c.response_recorded,
        cases.c.policy_fingerprint,
    ]  # fmt: skip
    with writing(engine) as connection:
        stored = pd.DataFrame(
            connection.execute(select(*columns)).all(), columns=[c.name for c in columns]
        )
        if stored.empty:
            return RecomputeReport(0, 0, policy.fingerprint)
        stale = stored if everything else stored[stored["policy_fingerprint"] != policy.fingerprint]
        missing = sorted(set(stale["severity"].unique()) - set(policy.levels))
        if missing:
            count = int(stale["severity"].isin(missing).sum())
            raise DashboardError(
                f"{policy.source}: the policy has no level {missing[0]}, but {count} stored "
                f"case(s) have it; add the level or re-import those cases"
            )
        for start in range(0, len(stale), _CHUNK):
            _rescore(connection, stale.iloc[start : start + _CHUNK], policy)
        refresh_calendar_days(connection, policy)
        refresh_summaries(connection)
        _set(connection, "policy_fingerprint", policy.fingerprint)
    if len(stale) >= LARGE_WRITE:  # every rescored row is a new row version on PostgreSQL
        refresh_statistics(engine)
    return RecomputeReport(len(stale), len(stored) - len(stale), policy.fingerprint)


def _rescore(connection, chunk: pd.DataFrame, policy: Policy) -> None:
    created = _seconds(chunk["created_at"])
    responded = _seconds(chunk["first_response_at"])
    resolved = _seconds(chunk["resolved_at"])
    known = chunk["response_recorded"].astype(bool).to_numpy()
    stored = _StoredCases(
        frame=chunk,
        created_at=created,
        first_response_at=np.where(responded >= 0, responded, 0),
        has_first_response_at=chunk["first_response_at"].notna().to_numpy(),
        resolved_at=np.where(resolved >= 0, resolved, 0),
        has_resolved_at=chunk["resolved_at"].notna().to_numpy(),
    )
    # What is stored never depends on "as of": unanswered cases get no verdict.
    as_of = int(created.max())
    calendar = BusinessCalendar.covering(
        policy.calendar, created, stored.first_response_at[stored.has_first_response_at]
    )
    figures = score(
        calendar,
        created=created,
        responded=stored.first_response_at,
        answered=stored.has_first_response_at,
        targets=target_seconds(policy, chunk["severity"].to_numpy()),
        as_of=as_of,
        response_known=known,
    )
    derived = derived_frame(stored, figures, policy)
    derived["source"] = chunk["source"].to_numpy()
    derived["case_id"] = chunk["case_id"].to_numpy()
    update_rows(connection, cases, derived, keys=("source", "case_id"))


def _seconds(values: pd.Series) -> np.ndarray:
    """Aware datetimes (or None) -> int64 UTC seconds (-1 where missing)."""
    stamps = pd.to_datetime(values, utc=True)
    filled = stamps.fillna(pd.Timestamp(0, tz="UTC")).dt.as_unit("s").astype("int64")
    return np.where(stamps.isna(), -1, filled.to_numpy())
