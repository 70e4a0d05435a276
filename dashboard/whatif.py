"""What-if: the headline figures with every case re-scored under another policy, in memory.

Nothing stored changes: the cases' imported fields are read, scored with the business-time
engine under the other policy (its targets, hours, zone, holidays, closures) and counted the
way the SQL counts them. Figures that do not depend on the policy (backlog, dismissals) come
from the SQL as usual. Period filters use the stored local dates, so both sides of a
comparison judge the same cases.

Resolution times are re-scored too (the other calendar, the other resolution targets). An
event log's cases are derived again from their stored events under the other policy, as
`recompute` would: which severity counts ([scoring]), its target (an escalation's earliest
deadline) and the time paused ([pauses], in the other calendar) are the other policy's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import analytics, queries
from dashboard.analytics import Scope
from dashboard.business_hours import BusinessCalendar
from dashboard.errors import DashboardError
from dashboard.event_store import rederive, stored_events
from dashboard.headline import COUNTS, Comparison, Headline
from dashboard.policy import Policy
from dashboard.sla import resolution_targets, score, score_resolution, target_seconds
from dashboard.vocabulary import STATUSES


def headline_under(engine: Engine, scope: Scope, policy: Policy) -> Headline:
    rows = queries.run(engine, "cases_for_rescoring", filters=scope.filters, as_of=scope.as_of)
    rows = _histories_derived_again(engine, rows, policy)
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


def _histories_derived_again(engine: Engine, rows: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The rows, with an event log's cases' severity, response target and paused time as the
    other policy derives them from their stored events (a `target_seconds` column: None for
    the other cases, whose target is their severity's)."""
    rows = rows.assign(target_seconds=pd.Series([None] * len(rows), dtype=object))
    histories = rows["event_count"].notna().to_numpy() if len(rows) else np.array([], bool)
    if not histories.any():
        return rows
    with engine.connect() as connection:
        for source, group in rows[histories].groupby("source"):
            events = stored_events(connection, str(source), group["case_id"])
            held = {int(v) for v in events["severity"].unique() if v}
            if held - set(policy.levels):
                raise DashboardError(
                    f"{policy.source}: the policy has no level {min(held - set(policy.levels))}"
                    ", but stored case histories in scope have it"
                )
            unrecorded = group.loc[~group["response_recorded"].astype(bool), "case_id"]
            validated, figures = rederive(events, policy, None,
                                          responses_unrecorded=set(unrecorded))  # fmt: skip
            if figures is None:
                continue
            derived = pd.DataFrame(
                {
                    "severity": validated.cases.frame["severity"].to_numpy(np.int64),
                    "target_seconds": figures.target_seconds,
                    "paused_business_seconds": figures.resolution.paused,
                },
                index=validated.cases.frame["case_id"].to_numpy(object),
            )
            at = group.index
            ids = group["case_id"].to_numpy(object)
            rows.loc[at, "severity"] = derived.loc[ids, "severity"].to_numpy()
            rows.loc[at, "target_seconds"] = derived.loc[ids, "target_seconds"].to_numpy()
            rows.loc[at, "paused_business_seconds"] = derived.loc[
                ids, "paused_business_seconds"
            ].to_numpy()
    return rows


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
        targets=_targets(rows, policy, levels),
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


def _targets(rows: pd.DataFrame, policy: Policy, levels: np.ndarray) -> np.ndarray:
    """Each case's severity's target, or its history's own (an escalation's) where derived."""
    targets = target_seconds(policy, levels)
    if "target_seconds" not in rows:
        return targets
    own = rows["target_seconds"].to_numpy(dtype=object)
    given = np.array([t is not None for t in own], dtype=bool)
    targets[given] = own[given].astype(np.int64)
    return targets


def _seconds(stamps: pd.Series) -> np.ndarray:
    return pd.to_datetime(stamps, utc=True).dt.as_unit("s").astype("int64").to_numpy()
