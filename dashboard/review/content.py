"""What a customer review pack says: one customer, one period, every figure and its why.

Everything comes from dashboard.analytics (the same queries as the dashboard), and every
breach gets a one-line explanation from its business-time ledger, so a reader understands it
without the dashboard. The HTML, PDF and XLSX writers only lay this out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import analytics, periods, queries, views
from dashboard.buckets import ageing_buckets
from dashboard.business_hours import BusinessCalendar
from dashboard.errors import DashboardError
from dashboard.headline import Headline
from dashboard.importing import stale_cases
from dashboard.ledger import ledger
from dashboard.policy import DISMISSAL_REASONS, REASON_LABELS, WEEKDAY_NAMES, Policy
from dashboard.queries import Filters
from dashboard.readable import clock, duration, instant
from dashboard.reconcile import Reconciliation, reconcile
from dashboard.review.wording import WEEKLY_TREND_UP_TO_DAYS


@dataclass(frozen=True)
class ReviewPack:
    customer: str
    period: periods.Period
    previous: periods.Period
    as_of: dt.datetime  # aware UTC: when the figures were judged
    period_end: dt.datetime  # aware UTC: the instant the backlog is taken at
    policy: Policy
    business_hours: str  # the definition, in words
    severities: pd.DataFrame  # one row a level: this period beside the previous one
    headline: Headline  # the customer's figures for the period
    previous_headline: Headline  # and for the previous period
    trend: pd.DataFrame  # period x severity: met, breached, attainment
    breaches: pd.DataFrame  # one row a breach, with its explanation
    backlog: pd.DataFrame  # open at period end, by severity, with those overdue then
    overdue: pd.DataFrame  # one row a case unanswered past its response deadline at period end
    ageing: pd.DataFrame  # open at period end, by age bucket and severity
    dismissals: pd.DataFrame  # one row a reason, with the policy's wording
    channels: pd.DataFrame  # cases by channel and severity
    data_quality: pd.DataFrame  # rejected rows and invalid or unscored cases of this customer
    # optional: our verdicts beside the helpdesk's own (dashboard/reconcile.py), when asked for
    reconciliation: Reconciliation | None = None

    @property
    def policy_table(self) -> pd.DataFrame:
        severities = self.policy.severities
        table = pd.DataFrame(
            {
                "level": [s.level for s in severities],
                "severity": [f"Level {s.level} - {s.name}" for s in severities],
                "response_target_hours": [s.response_hours for s in severities],
                "impact": [s.impact for s in severities],
            }
        )
        if self.policy.has_resolution_targets:  # optional: the vendor's policy has none
            table.insert(
                3,
                "resolution_target_hours",
                [None if s.resolution_seconds is None else s.resolution_seconds / 3600
                 for s in severities],
            )  # fmt: skip
        return table

    @property
    def trend_grain(self) -> str:
        return trend_grain(self.period)

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(ZoneInfo(self.policy.calendar.timezone))


def default_period(as_of: dt.datetime, policy: Policy) -> periods.Period:
    """The last full quarter before the as-of day (the usual quarterly review)."""
    return periods.resolve("last_quarter", today=as_of.astimezone(policy.calendar.zone).date())


def build(
    engine: Engine,
    policy: Policy,
    customer: str,
    period: periods.Period,
    as_of: dt.datetime,
    *,
    scope: tuple[str, ...] | None = None,
    reconciliation: bool = False,
) -> ReviewPack:
    """One customer's pack; with a scope (access.Person.scope), a customer outside it is
    refused in the same words as one with no cases. With `reconciliation`, it adds our
    verdicts beside the helpdesk's own and why they differ."""
    if customer not in views.filter_options(engine, scope).customers:
        raise DashboardError(f"no case names the customer {customer!r}")
    stale = stale_cases(engine, policy)
    if stale:  # a pack states one policy: its targets and its verdicts must be the same rules
        raise DashboardError(
            f"{stale:,} stored case(s) were scored under other rules than "
            f"{Path(policy.source).name}; "
            "re-score them first (`sla-dashboard recompute`, or the button on the dashboard) "
            "so that the pack's targets and verdicts agree"
        )
    view = views.View(Filters(customers=(customer,), scope=scope), period, as_of)
    scope = view.scope()
    calendar = views.calendar_for(policy, view)
    now = analytics.headline(engine, scope, policy)
    before = analytics.headline(engine, view.scope(view.previous), policy)
    end = views.period_end(policy, view, period)
    # The last second of the period: at midnight itself, the next day would count in ages.
    at_end = analytics.Scope(view.filters, end - dt.timedelta(seconds=1))
    ages = analytics.ageing(engine, at_end, policy)
    overdue = overdue_cases(engine, at_end)
    return ReviewPack(
        customer=customer,
        period=period,
        previous=view.previous,
        as_of=as_of,
        period_end=end,
        policy=policy,
        business_hours=business_hours_text(policy),
        severities=views.side_by_side(now, before),
        headline=now,
        previous_headline=before,
        trend=views.periods_as_text(
            analytics.attainment(
                engine, scope, by=("period", "severity"), grain=trend_grain(period)
            )
        ),
        breaches=explained_breaches(engine, scope, policy, calendar),
        backlog=_backlog(analytics.open_cases(engine, at_end, policy), overdue, policy),
        overdue=overdue,
        ageing=ageing_buckets(ages)
        if not ages.empty
        else pd.DataFrame(columns=["bucket", "severity", "cases"]),
        dismissals=_dismissals(engine, scope, policy),
        channels=analytics.channels(engine, scope),
        data_quality=_data_quality(engine, scope, customer, now),
        reconciliation=reconcile(engine, policy, scope.filters, as_of) if reconciliation else None,
    )


def trend_grain(period: periods.Period) -> str:
    """Weeks for a month or two, months beyond: a quarter's trend has three points, each on a
    month's cases, not thirteen weekly ones swinging on a handful (issue 15)."""
    return "week" if period.days <= WEEKLY_TREND_UP_TO_DAYS else "month"


def overdue_cases(engine: Engine, at: analytics.Scope) -> pd.DataFrame:
    """The cases open and unanswered at `at.as_of` (whenever created) whose response deadline
    had passed by then: the pack takes them at the period's end, the backlog's instant, so a
    past quarter's pack says the same whenever it is made (issue 15)."""
    queue = analytics.at_risk(engine, at, None, limit=views.EVERY)
    columns = ["case_id", "severity", "subject", "created_at", "response_deadline",
               "response_breach_at"]  # fmt: skip
    if queue.empty:
        return pd.DataFrame(columns=columns)
    late = queue[pd.to_datetime(queue["response_breach_at"], utc=True) <= at.as_of]
    return late[columns].reset_index(drop=True)


def business_hours_text(policy: Policy) -> str:
    cal = policy.calendar
    days = ", ".join(WEEKDAY_NAMES[d] for d in cal.workdays)
    holidays = (
        f"public holidays of {cal.holidays.label} (observed substitute days included)"
        if cal.holidays
        else "no public holiday list"
    )
    closures = f" and {len(cal.closures)} closure day(s)" if cal.closures else ""
    return (
        f"A business hour is an hour on {days}, {clock(cal.open_seconds)}-"
        f"{clock(cal.close_seconds)} local time in {cal.timezone} (daylight saving "
        f"followed exactly), excluding {holidays}{closures}. Response time is the business "
        "time from a case's creation to its first response; resolution time, from its "
        "creation to its resolution"
        + (
            f", not counting the time spent in {' or '.join(policy.pause_statuses)}"
            if policy.pause_statuses
            else ""
        )
        + "."
    )


def explained_breaches(
    engine: Engine, scope: analytics.Scope, policy: Policy, calendar: BusinessCalendar
) -> pd.DataFrame:
    """Every breach of the period with its overshoot and one line saying why."""
    rows = analytics.breaches(engine, scope, calendar, limit=100_000)
    columns = [
        "case_id",
        "severity",
        "subject",
        "created_at",
        "first_response_at",
        "business_hours",
        "target_hours",
        "overshoot_hours",
        "explanation",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    zone = ZoneInfo(policy.calendar.timezone)
    as_of = scope.as_of_seconds()
    lines, spent = [], []
    for row in rows.itertuples():
        created = int(pd.Timestamp(row.created_at).timestamp())
        answered = not pd.isna(row.first_response_at)
        end = int(pd.Timestamp(row.first_response_at).timestamp()) if answered else as_of
        stretches = ledger(calendar, created, end)
        seconds = sum(s.seconds for s in stretches if s.kind == "counted")
        target = int(row.target_seconds)
        spent.append(seconds)
        lines.append(
            explanation(created, end if answered else None, as_of, seconds, target, stretches, zone)
        )
    rows = rows.assign(
        business_hours=np.array(spent, dtype=float) / 3600,
        target_hours=rows["target_seconds"] / 3600,
        explanation=lines,
    )
    return rows[columns].reset_index(drop=True)


def explanation(
    created: int,
    answered: int | None,
    as_of: int,
    business: int,
    target: int,
    stretches,
    zone: ZoneInfo,
) -> str:
    """'created Fri 06 Mar 2026 17:40, answered Mon 09 Mar 2026 11:05: 2h 05m business
    against the 2h 00m target (5m over; not counted: night, weekend)'."""
    closed = []
    for stretch in stretches:
        for reason in stretch.reasons:
            for part in reason.split(", "):
                if part not in closed:
                    closed.append(part)
    reply = (
        f"answered {instant(answered, zone)}"
        if answered is not None
        else f"unanswered as of {instant(as_of, zone)}"
    )
    skipped = f"; not counted: {', '.join(closed)}" if closed else ""
    return (
        f"created {instant(created, zone)}, {reply}: {duration(business)} business against the "
        f"{duration(target)} target ({duration(business - target)} over{skipped})"
    )


def _backlog(
    open_by_severity: dict[int, int], overdue: pd.DataFrame, policy: Policy
) -> pd.DataFrame:
    late = overdue["severity"].astype(int).value_counts() if not overdue.empty else {}
    return pd.DataFrame(
        {
            "level": list(open_by_severity),
            "severity": [policy.severity(level).name for level in open_by_severity],
            "open_cases": list(open_by_severity.values()),
            "overdue": [int(late.get(level, 0)) for level in open_by_severity],
        }
    )


def _dismissals(engine: Engine, scope: analytics.Scope, policy: Policy) -> pd.DataFrame:
    table = analytics.dismissals(engine, scope, by=("all",))
    cases = int(table["cases"].sum()) if not table.empty else 0
    rows = []
    for reason in DISMISSAL_REASONS:
        dismissed = int(table[reason].sum()) if reason in table else 0
        rows.append(
            {
                "reason": REASON_LABELS[reason],
                "dismissed": dismissed,
                "cases": cases,
                "rate": dismissed / cases if cases else None,
                "policy_wording": policy.scope.out_of_scope.get(reason, ""),
            }
        )
    return pd.DataFrame(rows)


def _data_quality(
    engine: Engine, scope: analytics.Scope, customer: str, headline: Headline
) -> pd.DataFrame:
    """What could not be counted for this customer, so the reader knows what is missing."""
    rejects = queries.run(engine, "rejects_of_customer", filters=scope.filters, customer=customer)
    # The same bad row imported again is one note; one a later import stored is resolved.
    stored = queries.run(engine, "case_imports_of_customer", filters=scope.filters,
                         customer=customer)  # fmt: skip
    fixed_by = dict(zip(stored["case_id"], stored["last_import_id"], strict=True))
    rejects = rejects[
        [fixed_by.get(c, -1) < i for c, i in zip(rejects["case_id"], rejects["import_id"],
                                                  strict=True)]
    ].drop_duplicates(["case_id", "reason"])  # fmt: skip
    rows = [
        {
            "kind": "rejected row",
            "where": f"{r.file_name}, row {r.row_number}",
            "case_id": r.case_id,
            "detail": r.reason,
        }
        for r in rejects.itertuples()
    ]
    invalid = queries.run(engine, "invalid_cases", filters=scope.filters)
    rows += [
        {
            "kind": "invalid case",
            "where": "",
            "case_id": r.case_id,
            "detail": "its first response is recorded before its creation: not judged",
        }
        for r in invalid.itertuples()
    ]
    unscored = headline.totals.unscored
    if unscored:
        rows.append(
            {
                "kind": "unscored cases",
                "where": "",
                "case_id": "",
                "detail": f"{unscored} case(s) from exports that record no first "
                "responses: counted, never judged",
            }
        )
    return pd.DataFrame(rows, columns=["kind", "where", "case_id", "detail"])
