"""What-if: the headline figures with every case re-scored under another policy, in memory.

Nothing stored changes: the cases' imported fields are read, scored with the business-time
engine under the other policy (its targets, hours, zone, holidays, closures) and counted the
way the SQL counts them. Figures that do not depend on the policy (backlog, dismissals) come
from the SQL as usual. Period filters use the stored local dates, so both sides of a
comparison judge the same cases.

Resolution times are re-scored too (the other calendar, the other resolution targets), less
the pauses as stored: pauses come from an event log's history, which is not read here, so an
event-log case's paused time stays what the stored policy measured (`recompute` derives it
again from the events once the other policy is in force).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import analytics, queries
from dashboard.analytics import Scope
from dashboard.business_hours import BusinessCalendar
from dashboard.errors import DashboardError
from dashboard.headline import COUNTS, Comparison, Headline
from dashboard.policy import Policy
from dashboard.sla import resolution_targets, score, score_resolution, target_seconds
from dashboard.vocabulary import STATUSES


def headline_under(engine: Engine, scope: Scope, policy: Policy) -> Headline:
    rows = queries.run(engine, "cases_for_rescoring", filters=scope.filters, as_of=scope.as_of)
    by_severity, distribution, resolution = _rescored(rows, scope, policy)
    span = queries.run(engine, "case_span", filters=scope.filters, as_of=scope.as_of).iloc[0]
    return analytics.assemble_headline(
        policy,
        scope,
        by_severity=by_severity,
        distribution=distribution,
        resolution=resolution,
        reopened=analytics.reopens(engine, scope),  # a fact of the history: no policy changes it
        open_by_severity=analytics.open_cases(engine, scope, policy),
        dismissed=analytics.dismissals(engine, scope, by=("all",)),
        span=(span["first_day"], span["last_day"]),
    )


def compare(engine: Engine, scope: Scope, stored: Policy, other: Policy) -> Comparison:
    """Figures as stored beside the same figures under another policy."""
    return Comparison(
        stored=analytics.headline(engine, scope, stored),
        other=headline_under(engine, scope, other),
    )


def _rescored(rows: pd.DataFrame, scope: Scope, policy: Policy):
    empty = pd.DataFrame(columns=list(COUNTS)).rename_axis("severity")
    if rows.empty:
        nothing = pd.DataFrame().rename_axis("severity")
        return empty, nothing, nothing
    levels = rows["severity"].to_numpy(dtype=np.int64)
    unknown = sorted(set(levels) - set(policy.levels))
    if unknown:
        raise DashboardError(
            f"{policy.source}: the policy has no level {unknown[0]}, but "
            f"{int(np.isin(levels, unknown).sum())} case(s) in scope have it"
        )
    created = _seconds(rows["created_at"])
    answered = rows["first_response_at"].notna().to_numpy()
    responded = np.where(
        answered, _seconds(rows["first_response_at"].fillna(rows["created_at"])), 0
    )
    resolved = rows["resolved_at"].notna().to_numpy()
    resolved_at = np.where(resolved, _seconds(rows["resolved_at"].fillna(rows["created_at"])), 0)
    calendar = BusinessCalendar.covering(
        policy.calendar, created, responded[answered], resolved_at[resolved],
        scope.as_of_seconds(),
    )  # fmt: skip
    figures = score(
        calendar,
        created=created,
        responded=responded,
        answered=answered,
        targets=target_seconds(policy, levels),
        as_of=scope.as_of_seconds(),
        response_known=rows["response_recorded"].astype(bool).to_numpy(),
    )
    status = pd.Series(np.asarray(STATUSES, dtype=object)[figures.status])
    counts = pd.crosstab(levels, status).reindex(columns=list(COUNTS[1:]), fill_value=0)
    counts.insert(0, "cases", counts.sum(axis=1))
    counts.index.name = "severity"
    timed = figures.has_response_time
    times = pd.DataFrame(
        {"severity": levels[timed], "response_business_seconds": figures.response_seconds[timed]}
    )
    resolution = score_resolution(
        calendar,
        created=created,
        resolved=resolved_at,
        has_resolved=resolved,
        paused=rows["paused_business_seconds"].fillna(0).to_numpy(dtype=np.int64),
        targets=resolution_targets(policy, levels),
    )
    timed = resolution.has_time & (resolved_at <= scope.as_of_seconds())  # resolved by then
    resolution_times = pd.DataFrame(
        {"severity": levels[timed], "resolution_business_seconds": resolution.seconds[timed]}
    )
    return (
        counts,
        analytics.distribution_table(times, policy).set_index("severity"),
        analytics.resolution_table(resolution_times, policy).set_index("severity"),
    )


def _seconds(stamps: pd.Series) -> np.ndarray:
    return pd.to_datetime(stamps, utc=True).dt.as_unit("s").astype("int64").to_numpy()
