"""The figures users ask for, from the SQL under queries/ (plus Python where SQL cannot).

Rates are always computed from summed counts (attainment = met / (met + breached); a
dismissal rate = dismissed / cases), never averaged. Percentiles are numpy's default linear
interpolation between ranks, over answered cases' business response times and resolved
cases' business resolution times: SQLite has no percentile function, so the per-case times
come from SQL (kept in lists, dashboard/time_lists.py) and the ranks are taken here.
Business time remaining for unanswered cases needs the business calendar, so it too is
computed here, from the stored deadlines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sqlalchemy import Engine

from dashboard import queries, time_lists
from dashboard.business_hours import BusinessCalendar
from dashboard.headline import (
    COUNTS,
    Dismissals,
    Headline,
    ResolutionSummary,
    SeverityFigures,
    StatusCounts,
    ratio,
)
from dashboard.parallel import together
from dashboard.policy import DISMISSAL_REASONS, Policy, Severity
from dashboard.queries import Filters
from dashboard.vocabulary import EMAIL

_LAST = dt.date(9999, 12, 31)
NEAR_MISS_SHARE = 0.9  # "met within the last 10 % of the target"


@dataclass(frozen=True)
class Scope:
    """Which cases, judged when: the filters every figure takes, and the as-of instant."""

    filters: Filters
    as_of: dt.datetime  # aware UTC

    def as_of_seconds(self) -> int:
        return int(self.as_of.timestamp())


def attainment(
    engine: Engine,
    scope: Scope,
    *,
    by: tuple[str, ...] = ("severity",),
    grain: str = "month",
    include_dismissed: bool = True,
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Case counts by status and attainment, grouped by any of severity, period, customer;
    from `rows` of attainment_rows when given (of the same scope, and of the grain when
    grouped by period): one read serves several groupings."""
    if rows is None:
        rows = attainment_rows(engine, scope, grain=grain)
    if not include_dismissed:
        rows = rows[rows["dismissed"] == 0]
    if rows.empty:
        summed = pd.DataFrame(columns=[*by, *COUNTS])
    else:
        summed = rows.groupby(list(by), dropna=False)[list(COUNTS)].sum().reset_index()
    summed[list(COUNTS)] = summed[list(COUNTS)].astype(np.int64)
    summed["attainment"] = rate(summed["met"], summed["met"] + summed["breached"])
    return summed


def attainment_rows(engine: Engine, scope: Scope, *, grain: str = "month") -> pd.DataFrame:
    """The counts attainment() groups: severity x period (of `grain`) x customer x dismissed."""
    return queries.run(engine, "attainment", filters=scope.filters, as_of=scope.as_of,
                       grain=grain)  # fmt: skip


def rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator from counts; None where there is nothing to judge."""
    numerator = pd.Series(numerator, dtype="float64")
    denominator = pd.Series(denominator, dtype="float64")
    result = numerator / denominator.where(denominator > 0)
    return result.astype(object).where(result.notna(), None)


def response_distribution(engine: Engine, scope: Scope, policy: Policy) -> pd.DataFrame:
    """Per severity: answered cases, median/p90/p95 business hours, near misses, overshoot."""
    return distribution_table(time_lists.response_times(engine, scope.filters), policy)


def distribution_table(rows: Mapping[str, ArrayLike], policy: Policy) -> pd.DataFrame:
    """Per severity, from one row per case (columns severity, response_business_seconds: a
    frame or arrays)."""
    records = []
    for severity, seconds in _by_severity(rows, "response_business_seconds", policy):
        target = severity.response_seconds
        over = seconds[seconds > target] - target
        near = (seconds > NEAR_MISS_SHARE * target) & (seconds <= target)
        median, p90, p95 = _percentiles_hours(seconds, (50, 90, 95))
        records.append(
            {
                "severity": severity.level,
                "answered": int(seconds.size),
                "median_hours": median,
                "p90_hours": p90,
                "p95_hours": p95,
                "near_misses": int(near.sum()),
                "breaches": int(over.size),
                "median_overshoot_hours": _percentiles_hours(over, (50,))[0],
                "max_overshoot_hours": float(over.max()) / 3600 if over.size else None,
            }
        )
    return pd.DataFrame(records)


def resolution_distribution(engine: Engine, scope: Scope, policy: Policy) -> pd.DataFrame:
    """Per severity: cases resolved by as_of, median/p90 business hours to resolution (less
    pauses), and the verdicts against the severity's resolution target, if it has one."""
    rows = time_lists.resolution_times(engine, scope.filters, scope.as_of)
    return resolution_table(rows, policy)


def resolution_table(rows: Mapping[str, ArrayLike], policy: Policy) -> pd.DataFrame:
    """Per severity, from one row per resolved case (columns severity,
    resolution_business_seconds: a frame or arrays): the same percentile rule as response
    times; met = within the severity's resolution target, as the stored verdict says
    (sla.score_resolution), counted, never averaged."""
    records = []
    for severity, seconds in _by_severity(rows, "resolution_business_seconds", policy):
        target = severity.resolution_seconds
        met = int((seconds <= target).sum()) if target is not None else 0
        breached = int(seconds.size) - met if target is not None else 0
        median, p90 = _percentiles_hours(seconds, (50, 90))
        records.append(
            {
                "severity": severity.level,
                "resolved": int(seconds.size),
                "median_hours": median,
                "p90_hours": p90,
                "target_hours": None if target is None else target / 3600,
                "met": met,
                "breached": breached,
                "attainment": ratio(met, met + breached),
            }
        )
    return pd.DataFrame(records)


def _by_severity(
    rows: Mapping[str, ArrayLike], column: str, policy: Policy
) -> Iterator[tuple[Severity, np.ndarray]]:
    """Each of the policy's severities with its cases' seconds, as floats."""
    levels = np.asarray(rows["severity"])
    seconds = np.asarray(rows[column], dtype=np.float64)
    for severity in policy.severities:
        yield severity, seconds[levels == severity.level]


def reopens(engine: Engine, scope: Scope) -> dict[int, int]:
    """Per severity, cases reopened at least once, of the period's cases that came with a
    history (an event log); a severity none of whose cases did is left out."""
    if not int(queries.run(engine, "histories_stored").iloc[0]["histories"]):
        return {}  # one-row-per-case exports only: nothing to count, and no scan for it
    rows = queries.run(engine, "reopens", filters=scope.filters)
    return dict(zip(rows["severity"].astype(int), rows["reopened"].astype(int), strict=True))


def _percentiles_hours(seconds: np.ndarray, qs: tuple[float, ...]) -> list[float | None]:
    """Percentiles in hours (numpy's default: linear interpolation), in one partition."""
    if seconds.size == 0:
        return [None] * len(qs)
    return [float(value) / 3600 for value in np.percentile(seconds, qs)]


def breaches(
    engine: Engine, scope: Scope, calendar: BusinessCalendar | None, *, limit: int = 10_000
) -> pd.DataFrame:
    """Breached cases with their overshoot in business hours (unanswered: as of as_of)."""
    rows = queries.run(engine, "breaches", filters=scope.filters, as_of=scope.as_of, limit=limit)
    overshoot = rows["overshoot_seconds"].astype("float64")
    unanswered = overshoot.isna().to_numpy()
    if unanswered.any() and calendar is not None:
        deadline = _seconds(rows.loc[unanswered, "response_deadline"])
        overshoot[unanswered] = calendar.between(deadline, scope.as_of_seconds())
    rows["overshoot_hours"] = overshoot / 3600
    rows["answered"] = ~unanswered
    return rows.drop(columns=["overshoot_seconds"])


def at_risk(
    engine: Engine,
    scope: Scope,
    calendar: BusinessCalendar | None,
    *,
    limit: int = 10_000,
    created_from: dt.date | None = None,
    overdue: bool = True,
) -> pd.DataFrame:
    """Open unanswered cases by business hours left to their deadline (negative: breached);
    with `created_from`, only those created on or after that local day; with `overdue`
    False, only those not yet past their deadline (the overdue ones: queue_counts)."""
    if not overdue:
        rows = queries.run(engine, "at_risk_pending", filters=scope.filters, as_of=scope.as_of,
                           limit=limit)  # fmt: skip
    elif created_from is None:
        rows = queries.run(engine, "at_risk", filters=scope.filters, as_of=scope.as_of,
                           limit=limit)  # fmt: skip
    else:
        # Bounded on both sides, the day index is read over a few days only.
        created_to = scope.as_of.astimezone(calendar.spec.zone).date() if calendar else _LAST
        rows = queries.run(engine, "at_risk_recent", filters=scope.filters, as_of=scope.as_of,
                           limit=limit, created_from=created_from,
                           created_to=created_to)  # fmt: skip
    if rows.empty or calendar is None:
        rows["remaining_hours"] = pd.Series(dtype="float64")
        return rows
    remaining = calendar.between(scope.as_of_seconds(), _seconds(rows["response_deadline"]))
    rows["remaining_hours"] = remaining / 3600
    rows["breached"] = rows["response_breach_at"] <= scope.as_of
    return rows


def queue_counts(engine: Engine, scope: Scope, policy: Policy) -> pd.DataFrame:
    """Per severity (every level of the policy, then any other stored): the open cases still
    unanswered at as_of under the scope's filters (at_risk's rows, counted) and, of them,
    those overdue (at_risk's `breached`)."""
    rows = queries.run(engine, "queue_counts", filters=scope.filters, as_of=scope.as_of)
    levels = sorted({*policy.levels, *rows["severity"].astype(int)})
    counted = rows.astype({"severity": int}).set_index("severity")[["unanswered", "overdue"]]
    every = counted.reindex(levels, fill_value=0).astype(np.int64)
    return every.rename_axis("severity").reset_index()


def open_cases(engine: Engine, scope: Scope, policy: Policy) -> dict[int, int]:
    """Cases open at as_of by severity, whenever created (every level present)."""
    rows = queries.run(engine, "open_cases", filters=_any_period(scope.filters), as_of=scope.as_of)
    counted = dict(zip(rows["severity"].astype(int), rows["open_cases"].astype(int), strict=True))
    return {level: counted.get(level, 0) for level in policy.levels}


def open_by_customer(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Per customer: cases open at as_of and, of them, those overdue (unanswered past their
    response deadline, as at_risk's `breached`), whenever created; one grouped query for
    every customer (a customer with no open case is absent)."""
    rows = queries.run(engine, "open_by_customer", filters=_any_period(scope.filters),
                       as_of=scope.as_of)  # fmt: skip
    counts = ["open_cases", "overdue"]
    rows[counts] = rows[counts].fillna(0).astype(np.int64)
    return rows


def backlog(
    engine: Engine, filters: Filters, *, first: dt.date, last: dt.date, grain: str = "day"
) -> pd.DataFrame:
    """Cases open at the end of each day (or week, at its Sunday) in [first, last], by severity.

    The SQL returns each day's net change; the running total is taken here.
    """
    before = first - dt.timedelta(days=1)
    window = dataclasses.replace(filters, date_from=first, date_to=last)
    moves = queries.run(engine, "backlog_moves", filters=window, date_before=before)
    days = pd.date_range(first, last, freq="D")
    if moves.empty:
        frame = pd.DataFrame(0, index=days, columns=[])
    else:
        deltas = moves.pivot_table(index="day", columns="severity", values="delta",
                                   aggfunc="sum", fill_value=0)  # fmt: skip
        deltas.index = pd.to_datetime(deltas.index)
        history = pd.date_range(before, last, freq="D")
        frame = deltas.reindex(history, fill_value=0).cumsum().reindex(days)
    if grain == "week":
        frame = frame[frame.index.day_of_week == 6]
    long = frame.stack().rename("open_cases").reset_index() if not frame.empty else None
    if long is None or long.empty:
        return pd.DataFrame(columns=["day", "severity", "open_cases"])
    long.columns = ["day", "severity", "open_cases"]
    long["day"] = long["day"].dt.date
    long["open_cases"] = long["open_cases"].astype(np.int64)
    return long


def ageing(engine: Engine, scope: Scope, policy: Policy) -> pd.DataFrame:
    """Cases open at as_of, counted per local day created and severity (`cases`), with the age
    in business days of the cases of that day: the working days after the day it was
    created, up to and including the as-of day (created today: 0)."""
    rows = queries.run(engine, "ageing", filters=_any_period(scope.filters), as_of=scope.as_of)
    if rows.empty:
        rows["age_business_days"] = pd.Series(dtype="int64")
        return rows
    created_days = pd.to_datetime(rows["created_local_date"]).to_numpy(dtype="datetime64[D]")
    # the calendar needs the years only: each day's midnight UTC is in its local year, or in
    # the margin of a year that covering() adds either side
    created = created_days.astype("datetime64[s]").astype(np.int64)
    calendar = BusinessCalendar.covering(policy.calendar, created, scope.as_of_seconds())
    working = calendar.working_dates()
    as_of_day = np.datetime64(scope.as_of.astimezone(policy.calendar.zone).date(), "D")
    after_created = np.searchsorted(working, created_days, side="right")
    rows["age_business_days"] = np.searchsorted(working, as_of_day, side="right") - after_created
    rows["cases"] = rows["cases"].astype(np.int64)
    return rows


def opened_resolved(engine: Engine, filters: Filters, *, grain: str = "week") -> pd.DataFrame:
    """Cases opened and resolved per period and severity (the period filters the events)."""
    # The case filters pick the cases; the period picks the days their events fall on.
    return queries.run(engine, "opened_resolved", filters=filters, grain=grain)


def dismissals(
    engine: Engine,
    scope: Scope,
    *,
    by: tuple[str, ...] = ("period",),
    grain: str = "month",
    rows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Dismissed / all cases, with a column per policy reason, grouped by period or customer;
    from `rows` of dismissal_rows when given (of the same scope, and of the grain when
    grouped by period)."""
    if rows is None:
        rows = dismissal_rows(engine, scope, grain=grain)
    # cases without a customer still count
    rows = rows.assign(customer=rows["customer"].fillna(""), all="all")
    if rows.empty:
        return pd.DataFrame(columns=[*by, "cases", "dismissed", "rate", *DISMISSAL_REASONS])
    table = rows.pivot_table(index=list(by), columns="reason", values="cases", aggfunc="sum",
                             fill_value=0)  # fmt: skip
    for reason in ("", *DISMISSAL_REASONS):
        if reason not in table.columns:
            table[reason] = 0
    table["dismissed"] = table[list(DISMISSAL_REASONS)].sum(axis=1)
    table["cases"] = table["dismissed"] + table[""]
    table = table.drop(columns=[""]).reset_index()
    table.columns.name = None
    table["rate"] = rate(table["dismissed"], table["cases"])
    return table[[*by, "cases", "dismissed", "rate", *DISMISSAL_REASONS]]


def dismissal_rows(engine: Engine, scope: Scope, *, grain: str = "month") -> pd.DataFrame:
    """The counts dismissals() groups (queries/dismissals.sql)."""
    return queries.run(engine, "dismissals", filters=scope.filters, as_of=scope.as_of,
                       grain=grain)  # fmt: skip


def channels(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Cases per severity and channel; email on levels 3 and above is flagged: the policy
    reserves email for emergencies when the portal is down."""
    rows = queries.run(engine, "channels", filters=scope.filters, as_of=scope.as_of)
    rows["email_outside_emergency"] = (rows["channel"] == EMAIL) & (rows["severity"] >= 3)
    return rows


def headline(
    engine: Engine,
    scope: Scope,
    policy: Policy,
    *,
    counts: pd.DataFrame | None = None,
    dismissed: pd.DataFrame | None = None,
) -> Headline:
    """The `sla-dashboard stats` figures (the JSON shape of issue #4: Headline.as_json);
    `counts` and `dismissed`: the scope's attainment_rows and dismissal_rows, of any grain,
    when already read."""
    # Independent reads, side by side: the response and resolution times are the longest.
    by_severity, distribution, resolution, dismissed, span, reopened, open_by_severity = together(
        lambda: attainment(engine, scope, by=("severity",), rows=counts),
        lambda: response_distribution(engine, scope, policy),
        lambda: resolution_distribution(engine, scope, policy),
        lambda: dismissals(engine, scope, by=("all",), rows=dismissed),
        lambda: queries.run(engine, "case_span", filters=scope.filters, as_of=scope.as_of),
        lambda: reopens(engine, scope),
        lambda: open_cases(engine, scope, policy),
    )
    first, last = span.iloc[0]["first_day"], span.iloc[0]["last_day"]
    return assemble_headline(
        policy,
        scope,
        by_severity=by_severity.set_index("severity"),
        distribution=distribution.set_index("severity"),
        resolution=resolution.set_index("severity"),
        reopened=reopened,
        open_by_severity=open_by_severity,
        dismissed=dismissed,
        span=(first, last),
    )


def assemble_headline(
    policy: Policy,
    scope: Scope,
    *,
    by_severity: pd.DataFrame,
    distribution: pd.DataFrame,
    resolution: pd.DataFrame,
    reopened: dict[int, int],
    open_by_severity: dict[int, int],
    dismissed: pd.DataFrame,
    span: tuple,
) -> Headline:
    """A Headline from the per-severity counts and response- and resolution-time distributions
    (from SQL, or re-scored in memory by the what-if) and the figures no policy changes."""
    severities = []
    for severity in policy.severities:
        level = severity.level
        counts = StatusCounts(
            **{k: int(by_severity.at[level, k]) if level in by_severity.index else 0
               for k in COUNTS}
        )  # fmt: skip
        row = distribution.loc[level] if level in distribution.index else None
        severities.append(
            SeverityFigures(
                level=level,
                name=severity.name,
                target_hours=severity.response_hours,
                counts=counts,
                median_response_hours=_clean(row["median_hours"]) if row is not None else None,
                p90_response_hours=_clean(row["p90_hours"]) if row is not None else None,
                p95_response_hours=_clean(row["p95_hours"]) if row is not None else None,
                near_misses=int(row["near_misses"]) if row is not None else 0,
                resolution=_resolution_summary(severity, resolution, reopened.get(level)),
            )
        )
    by_reason = {r: int(dismissed[r].sum()) if r in dismissed else 0 for r in DISMISSAL_REASONS}
    all_cases = int(dismissed["cases"].sum()) if "cases" in dismissed else 0
    return Headline(
        as_of=scope.as_of.astimezone(dt.UTC),
        first_day=_day(scope.filters.date_from or span[0]),
        last_day=_day(scope.filters.date_to or span[1]),
        policy_name=policy.name,
        policy_fingerprint=policy.fingerprint,
        severities=tuple(severities),
        open_by_severity=dict(open_by_severity),
        dismissals=Dismissals(by_reason, all_cases),
    )


def _resolution_summary(severity, table: pd.DataFrame, reopened: int | None) -> ResolutionSummary:
    target = None if severity.resolution_seconds is None else severity.resolution_seconds / 3600
    if severity.level not in table.index:
        return ResolutionSummary(reopened=reopened, target_hours=target)
    row = table.loc[severity.level]
    return ResolutionSummary(
        resolved=int(row["resolved"]),
        median_hours=_clean(row["median_hours"]),
        p90_hours=_clean(row["p90_hours"]),
        reopened=reopened,
        target_hours=target,
        met=int(row["met"]),
        breached=int(row["breached"]),
    )


def _clean(value) -> float | None:
    return None if value is None or value != value else float(value)


def _day(value) -> dt.date | None:
    if value is None or value != value:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _seconds(stamps: pd.Series) -> np.ndarray:
    return pd.to_datetime(stamps, utc=True).dt.as_unit("s").astype("int64").to_numpy()


def _any_period(filters: Filters) -> Filters:
    """The same filters on every case whenever it was created (backlog questions)."""
    return dataclasses.replace(filters, date_from=None, date_to=None)
