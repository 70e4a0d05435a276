"""Re-score stored cases under the policy in force: `sla-dashboard recompute`.

Only the computed columns (local periods, deadline, business response time, verdict,
resolution time, policy fingerprint) are rewritten; the imported fields never are, except
for cases from an event log: those are derived again from their stored events, because which
severity a case is scored under ([scoring]) is itself a rule of the policy. Cases already
scored under this policy are left alone unless everything is asked for.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from dashboard.access import login_name
from dashboard.activity import record
from dashboard.bulk_write import update_rows
from dashboard.business_hours import BusinessCalendar
from dashboard.errors import DashboardError
from dashboard.event_store import rederive, stored_events
from dashboard.importing import (
    DERIVED_FIELDS,
    RAW_FIELDS,
    _set,
    derived_frame,
    is_stale,
    raw_frame,
    refresh_calendar_days,
)
from dashboard.policy import Policy
from dashboard.sla import resolution_targets, score, score_resolution, target_seconds
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
    engine: Engine, policy: Policy, *, everything: bool = False, user: str | None = None
) -> RecomputeReport:
    """Re-score the stored cases computed under other rules (all of them with `everything`),
    recording who did it (default: the login name) in the activity log."""
    columns = [
        cases.c.source, cases.c.case_id, cases.c.severity, cases.c.created_at,
        cases.c.first_response_at, cases.c.resolved_at, cases.c.response_recorded,
        cases.c.event_count, is_stale(policy).label("stale"),
    ]  # fmt: skip
    with writing(engine) as connection:
        stored = pd.DataFrame(
            connection.execute(select(*columns)).all(), columns=[c.name for c in columns]
        )
        if stored.empty:
            return RecomputeReport(0, 0, policy.fingerprint)
        stale = stored if everything else stored[stored["stale"].astype(bool)]
        _refuse_missing_levels(stale["severity"], policy)
        histories = stale["event_count"].notna()
        for source, group in stale[histories].groupby("source"):
            unrecorded = group.loc[~group["response_recorded"].astype(bool), "case_id"]
            _rederive(connection, str(source), group["case_id"].tolist(), policy,
                      unrecorded=set(unrecorded))  # fmt: skip
        stale_rows = len(stale)
        stale = stale[~histories]
        for start in range(0, len(stale), _CHUNK):
            _rescore(connection, stale.iloc[start : start + _CHUNK], policy)
        refresh_calendar_days(connection, policy)
        refresh_summaries(connection)
        _set(connection, "policy_fingerprint", policy.fingerprint)
        record(connection, user or login_name(), "recompute",
               f"{stale_rows:,} case(s) re-scored under {Path(policy.source).name} "
               f"(rules {policy.fingerprint})")  # fmt: skip
    if stale_rows >= LARGE_WRITE:  # every rescored row is a new row version on PostgreSQL
        refresh_statistics(engine)
    return RecomputeReport(stale_rows, len(stored) - stale_rows, policy.fingerprint)


def _refuse_missing_levels(levels: pd.Series, policy: Policy, what: str = "stored case(s)"):
    missing = sorted({int(v) for v in levels.unique() if v} - set(policy.levels))
    if missing:
        count = int(levels.isin(missing).sum())
        raise DashboardError(
            f"{policy.source}: the policy has no level {missing[0]}, but {count} {what} have "
            "it; add the level or re-import those cases"
        )


def _rederive(
    connection, source: str, case_ids: list[str], policy: Policy, *, unrecorded: set[str]
) -> None:
    """Derive and score an event log's cases again from their stored events (`unrecorded`:
    those whose log records no responses, so they stay unscored)."""
    for start in range(0, len(case_ids), _CHUNK):
        chunk = case_ids[start : start + _CHUNK]
        events = stored_events(connection, source, chunk)
        # Any severity of a history can be the one scored ([scoring]): all must be levels.
        _refuse_missing_levels(events["severity"], policy, "stored event(s)")
        validated, figures = rederive(
            events, policy, None, responses_unrecorded=unrecorded.intersection(chunk)
        )
        if figures is None:
            continue
        rows = raw_frame(validated.cases, source)
        for name, values in derived_frame(validated.cases, figures, policy).items():
            rows[name] = values.to_numpy()
        columns = [*RAW_FIELDS, "content_hash", *DERIVED_FIELDS]
        update_rows(connection, cases, rows[[*columns, "source", "case_id"]],
                    keys=("source", "case_id"))  # fmt: skip


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
        policy.calendar,
        created,
        stored.first_response_at[stored.has_first_response_at],
        stored.resolved_at[stored.has_resolved_at],
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
    resolution = score_resolution(
        calendar,
        created=created,
        resolved=stored.resolved_at,
        has_resolved=stored.has_resolved_at,
        paused=np.zeros(len(chunk), dtype=np.int64),  # one row per case: no history, no pauses
        targets=resolution_targets(policy, chunk["severity"].to_numpy()),
    )
    figures = dataclasses.replace(figures, resolution=resolution)
    derived = derived_frame(stored, figures, policy)
    derived["source"] = chunk["source"].to_numpy()
    derived["case_id"] = chunk["case_id"].to_numpy()
    update_rows(connection, cases, derived, keys=("source", "case_id"))


def _seconds(values: pd.Series) -> np.ndarray:
    """Aware datetimes (or None) -> int64 UTC seconds (-1 where missing)."""
    stamps = pd.to_datetime(values, utc=True)
    filled = stamps.fillna(pd.Timestamp(0, tz="UTC")).dt.as_unit("s").astype("int64")
    return np.where(stamps.isna(), -1, filled.to_numpy())
