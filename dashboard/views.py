"""What each dashboard page shows, as typed records of plain frames: no Streamlit here.

A page is a function of (engine, policy, view): the filters and period the sidebar chose and
the instant the figures are judged at. Every number comes from dashboard.analytics (the SQL
under queries/); this module only picks, combines and labels, so tests can hold each page's
figures to the queries' without a browser.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import analytics, import_log, periods, queries, reconcile, time_lists, whatif
from dashboard.buckets import ageing_buckets, response_bins
from dashboard.business_hours import BusinessCalendar, supported_years
from dashboard.headline import Headline, ratio
from dashboard.parallel import together
from dashboard.policy import DISMISSAL_REASONS, WEEKDAY_NAMES, CalendarSpec, Policy
from dashboard.queries import Filters
from dashboard.readable import clock

# An unanswered case is "at risk" once half of its target or less is left: early enough to act.
AT_RISK_SHARE = 0.5
SHORT_PERIOD_DAYS = 120  # up to about a quarter, trends are drawn per week; longer, per month
EVERY = queries.EVERY  # "no limit" (queries.EVERY): counts are never taken from a cut
SHOWN_ROWS = 5_000  # rows a page's table shows (the counts above it are always complete)
OLDEST_SHOWN = 5  # the Overview's longest-overdue cases
URGENT_LEVELS = (1, 2)  # the overdue cases a manager acts on first
DAILY_BACKLOG_DAYS = 1_500  # longer periods draw the backlog weekly


@dataclass(frozen=True)
class View:
    """What the sidebar chose: case filters, the period (creation days) and the as-of instant."""

    filters: Filters  # without the period: pages add it where the question is about a period
    period: periods.Period
    as_of: dt.datetime  # aware UTC
    compared_with: periods.Period | None = None  # the preset's own (periods.previous_for)

    @property
    def previous(self) -> periods.Period:
        return self.compared_with or periods.previous(self.period)

    @property
    def grain(self) -> str:
        return "week" if self.period.days <= SHORT_PERIOD_DAYS else "month"

    def scope(self, period: periods.Period | None = None) -> analytics.Scope:
        period = period or self.period
        filters = dataclasses.replace(self.filters, date_from=period.first, date_to=period.last)
        return analytics.Scope(filters, self.as_of)

    def narrowed(self, **changes) -> View:
        """The same view with some filters changed (e.g. one customer)."""
        return dataclasses.replace(self, filters=dataclasses.replace(self.filters, **changes))


# -- the sidebar's choices and the cache key ----------------------------------------------------


@dataclass(frozen=True)
class FilterOptions:
    """Every customer, channel, plan and source in the data, sorted: the sidebar's lists."""

    customers: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def filter_options(engine: Engine, scope: tuple[str, ...] | None = None) -> FilterOptions:
    """Within a person's scope (access.Person.scope): an account user's lists name only
    their own customers, and the channels and plans of their cases."""
    rows = queries.run(engine, "filter_options", filters=Filters(scope=scope))
    found: dict[str, list[str]] = {"customer": [], "channel": [], "plan": [], "source": []}
    for kind, value in zip(rows["kind"], rows["value"], strict=True):
        found[kind].append(value)
    return FilterOptions(
        customers=tuple(sorted(found["customer"])),
        channels=tuple(sorted(found["channel"])),
        plans=tuple(sorted(found["plan"])),
        sources=tuple(sorted(found["source"])),
    )


def data_span(engine: Engine, scope: tuple[str, ...] | None = None) -> periods.Period | None:
    """The first and last local creation day of any case the person may see (the "All time"
    preset)."""
    row = queries.run(engine, "case_span", filters=Filters(scope=scope)).iloc[0]
    if pd.isna(row["first_day"]):
        return None
    return periods.Period(row["first_day"], row["last_day"])


@dataclass(frozen=True)
class DataState:
    last_import: int | None
    imports: int
    fingerprint: str | None  # the policy the stored figures were computed under
    last_change: int | None = None  # the last recorded change (activity): a source removed

    @property
    def version(self) -> str:
        """Changes with every import, recompute and removal: the key cached figures are stored
        under."""
        return f"{self.last_import}:{self.fingerprint}:{self.imports}:{self.last_change}"

    def stale_under(self, policy: Policy) -> bool:
        """The stored verdicts were computed under rules other than `policy`'s."""
        return self.fingerprint is not None and self.fingerprint != policy.fingerprint


def data_state(engine: Engine) -> DataState:
    row = queries.run(engine, "data_version").iloc[0]
    return DataState(
        last_import=None if pd.isna(row["last_import"]) else int(row["last_import"]),
        imports=int(row["imports"]),
        fingerprint=None if pd.isna(row["fingerprint"]) else str(row["fingerprint"]),
        last_change=None if pd.isna(row["last_change"]) else int(row["last_change"]),
    )


def data_version(engine: Engine) -> str:
    return data_state(engine).version


# -- Overview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveCounts:
    """Open cases at an instant and, of the unanswered ones, those at risk; at as_of (now) also
    those already past their deadline (None at the end of an earlier period: not read)."""

    open: int
    at_risk: int
    breached: int | None = None
    unanswered: int | None = None


@dataclass(frozen=True)
class QueueCounts:
    """Of an at-risk queue: already breached, at risk (half the target or less left), all."""

    at_risk: int
    breached: int
    unanswered: int


@dataclass(frozen=True, eq=False)
class Overview:
    severities: pd.DataFrame  # side_by_side(now, before)
    now: Headline
    before: Headline  # the previous period's
    live_now: LiveCounts  # at live_at: the end of the period, or as_of if sooner
    live_before: LiveCounts  # at live_before_at: the end of the previous period
    live_at: dt.datetime
    live_before_at: dt.datetime
    trend: pd.DataFrame  # period x severity attainment
    # per severity at as_of (now), whenever created: the unanswered open cases, those overdue
    # and those at risk (queue_by_severity)
    queue_now: pd.DataFrame
    # the URGENT_LEVELS' longest overdue at as_of, at most OLDEST_SHOWN (overdue())
    urgent_overdue: pd.DataFrame

    @property
    def overdue_now(self) -> int:
        return int(self.queue_now["overdue"].sum())

    @property
    def urgent_overdue_now(self) -> int:
        urgent = self.queue_now["severity"].isin(URGENT_LEVELS)
        return int(self.queue_now.loc[urgent, "overdue"].sum())


def overview(engine: Engine, policy: Policy, view: View) -> Overview:
    """Per severity: attainment against target, cases, median and p90, each beside the previous
    period's; the open backlog, at-risk count and dismissal rate then and now; one trend."""
    calendar = calendar_for(policy, view)
    end_now = period_end(policy, view, view.period)
    end_before = period_end(policy, view, view.previous)
    # A period running to as_of is judged now: its live counts come from the queue counted
    # for "Overdue now" (counted once, not twice) and the headline's open cases (those open
    # at as_of whenever created, as live_counts counts them).
    current = end_now >= view.as_of
    live = analytics.Scope(view.filters, view.as_of)
    (counts, _, now), before, live_now, live_before, queue, urgent = together(
        lambda: headline_and_counts(engine, policy, view),
        lambda: analytics.headline(engine, view.scope(view.previous), policy),
        lambda: None if current else live_counts(engine, policy, view, calendar, end_now),
        lambda: live_counts(engine, policy, view, calendar, end_before),
        lambda: queue_by_severity(engine, policy, calendar, live),
        lambda: longest_overdue(engine, calendar, live, URGENT_LEVELS, OLDEST_SHOWN),
    )
    if current:
        live_now = live_counts_now(queue_totals(queue), sum(now.open_by_severity.values()))
    trend = analytics.attainment(engine, view.scope(), by=("period", "severity"), rows=counts)
    return Overview(
        severities=side_by_side(now, before),
        now=now,
        before=before,
        live_now=live_now,
        live_before=live_before,
        live_at=end_now,
        live_before_at=end_before,
        trend=every_period(periods_as_text(trend), view, policy.levels),
        queue_now=queue,
        urgent_overdue=urgent,
    )


def longest_overdue(
    engine: Engine,
    calendar: BusinessCalendar,
    scope: analytics.Scope,
    levels: tuple[int, ...],
    limit: int,
) -> pd.DataFrame:
    """The cases of these levels (within the filters' own) overdue at as_of, the longest
    overdue first, at most `limit` (overdue()): the queue's first rows, read alone."""
    chosen = scope.filters.severities
    wanted = tuple(level for level in levels if not chosen or level in chosen)
    if not wanted:  # the filters leave none of these levels: nothing to read
        return overdue(analytics.at_risk(engine, scope, calendar, limit=0))
    narrowed = dataclasses.replace(scope.filters, severities=wanted)
    queue = analytics.at_risk(engine, analytics.Scope(narrowed, scope.as_of), calendar,
                              limit=limit)  # fmt: skip
    return overdue(queue)


def headline_and_counts(
    engine: Engine, policy: Policy, view: View
) -> tuple[pd.DataFrame, pd.DataFrame, Headline]:
    """The view's attainment counts per period of its grain (analytics.attainment_rows), its
    dismissal counts (analytics.dismissal_rows) and its headline made from them: a trend or
    a ranking is then grouped from the same reads."""
    scope = view.scope()
    counts, dismissed = together(
        lambda: analytics.attainment_rows(engine, scope, grain=view.grain),
        lambda: analytics.dismissal_rows(engine, scope),
    )
    return counts, dismissed, analytics.headline(engine, scope, policy, counts=counts,
                                                 dismissed=dismissed)  # fmt: skip


def overdue(queue: pd.DataFrame) -> pd.DataFrame:
    """The queue's cases past their deadline, the longest overdue first, with by how much
    (business hours since the deadline)."""
    if queue.empty:
        return queue.assign(overdue_hours=pd.Series(dtype="float64"))
    late = queue[queue["breached"].to_numpy(dtype=bool)]
    late = late.assign(overdue_hours=-late["remaining_hours"])
    return late.sort_values(["response_deadline", "case_id"]).reset_index(drop=True)


def side_by_side(now: Headline, before: Headline, *, other: str = "previous") -> pd.DataFrame:
    """Per severity, one headline's figures beside another's (the previous period's, or all
    customers'), the other's columns prefixed with `other`: response figures, then resolution
    figures; the verdicts against resolution targets only when the policy sets some (None
    for a level without one)."""
    rows = []
    for current, previous in zip(now.severities, before.severities, strict=True):
        resolution, previous_resolution = current.resolution, previous.resolution
        verdicts = (
            {
                "resolution_target_hours": resolution.target_hours,
                "resolution_met": resolution.met,
                "resolution_breached": resolution.breached,
                "resolution_attainment": resolution.attainment,
                f"{other}_resolution_attainment": previous_resolution.attainment,
            }
            if now.has_resolution_targets
            else {}
        )
        rows.append(
            {
                "severity": current.level,
                "name": current.name,
                "target_hours": current.target_hours,
                "cases": current.counts.cases,
                "met": current.counts.met,
                "breached": current.counts.breached,
                "pending": current.counts.pending,
                "unscored": current.counts.unscored,
                "attainment": current.attainment,
                "median_hours": current.median_response_hours,
                "p90_hours": current.p90_response_hours,
                f"{other}_cases": previous.counts.cases,
                f"{other}_attainment": previous.attainment,
                f"{other}_median_hours": previous.median_response_hours,
                f"{other}_p90_hours": previous.p90_response_hours,
                "resolved": resolution.resolved,
                "resolution_median_hours": resolution.median_hours,
                "resolution_p90_hours": resolution.p90_hours,
                f"{other}_resolved": previous_resolution.resolved,
                f"{other}_resolution_median_hours": previous_resolution.median_hours,
                f"{other}_resolution_p90_hours": previous_resolution.p90_hours,
                **verdicts,
            }
        )
    return pd.DataFrame(rows)


def period_end(policy: Policy, view: View, period: periods.Period) -> dt.datetime:
    """The instant a period's live figures are taken at: the end of its last local day, or
    as_of when that comes first (a period running to today is judged now)."""
    zone = policy.calendar.zone
    end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(), zone)
    return min(view.as_of, end.astimezone(dt.UTC))


def live_counts(
    engine: Engine, policy: Policy, view: View, calendar: BusinessCalendar, at: dt.datetime
) -> LiveCounts:
    """Cases open at an instant (whenever created) and, of the unanswered ones, those at risk.

    At as_of (now) the whole queue is read: breached and unanswered are counted too. At the end
    of an earlier period, the backlog comes from the per-day summaries and the queue from the
    cases young enough to be still pending then (older unanswered ones were breached): reading
    every case open at a past instant costs a scan of all later resolutions.
    """
    if at >= view.as_of:
        scope = analytics.Scope(view.filters, view.as_of)
        counted, opened = together(
            lambda: queue_by_severity(engine, policy, calendar, scope),
            lambda: analytics.open_cases(engine, scope, policy),
        )
        return live_counts_now(queue_totals(counted), sum(opened.values()))
    day = (at - dt.timedelta(seconds=1)).astimezone(policy.calendar.zone).date()
    backlog = analytics.backlog(engine, view.filters, first=day, last=day)
    youngest = earliest_pending_day(policy, calendar, day)
    queue = analytics.at_risk(engine, analytics.Scope(view.filters, at), calendar,
                              created_from=youngest, limit=EVERY)  # fmt: skip
    return LiveCounts(int(backlog["open_cases"].sum()), queue_counts_of(queue).at_risk)


def live_counts_now(counts: QueueCounts, opened: int) -> LiveCounts:
    """The live counts at as_of from the at-risk queue then, counted (queue_totals), and the
    number of cases open then."""
    return LiveCounts(opened, counts.at_risk, counts.breached, counts.unanswered)


def queue_by_severity(
    engine: Engine, policy: Policy, calendar: BusinessCalendar, scope: analytics.Scope
) -> pd.DataFrame:
    """Per severity (every level): the at-risk queue at the scope's as_of, whenever created,
    counted: `unanswered`, `overdue` (past the deadline) and `at_risk` (not yet overdue, with
    AT_RISK_SHARE of the target or less left). The first two are counted in SQL; only the
    cases not yet overdue are read, for the business time they have left. (At 10M cases the
    queue holds 100,000 cases, nearly all long overdue: reading them all cost a second.)"""
    counted, pending = together(
        lambda: analytics.queue_counts(engine, scope, policy),
        lambda: analytics.at_risk(engine, scope, calendar, limit=EVERY, overdue=False),
    )
    risky = pending.loc[at_risk_rows(pending), "severity"].astype(int).value_counts()
    counted["at_risk"] = counted["severity"].map(risky).fillna(0).astype(np.int64)
    return counted


def queue_totals(by_severity: pd.DataFrame) -> QueueCounts:
    """Every severity's counts of queue_by_severity, added up."""
    return QueueCounts(
        at_risk=int(by_severity["at_risk"].sum()),
        breached=int(by_severity["overdue"].sum()),
        unanswered=int(by_severity["unanswered"].sum()),
    )


def earliest_pending_day(policy: Policy, calendar: BusinessCalendar, day: dt.date) -> dt.date:
    """A local day before which no case can still be pending at the end of `day`: one created
    earlier has had more full working days since than the longest target needs."""
    longest = max(s.response_seconds for s in policy.severities)
    days_needed = -(-longest // policy.calendar.daily_seconds) + 2
    working = calendar.working_dates()
    upto = int(np.searchsorted(working, np.datetime64(day, "D"), side="right"))
    if upto - days_needed < 0:
        return dt.date(1, 1, 1)
    return working[upto - days_needed].astype(dt.date)


def queue_counts_of(queue: pd.DataFrame) -> QueueCounts:
    """Of an at-risk queue's rows: already breached, and at risk (half the target or less
    left)."""
    if queue.empty:
        return QueueCounts(at_risk=0, breached=0, unanswered=0)
    return QueueCounts(at_risk=int(at_risk_rows(queue).sum()),
                       breached=int(queue["breached"].to_numpy(dtype=bool).sum()),
                       unanswered=len(queue))  # fmt: skip


def at_risk_rows(queue: pd.DataFrame) -> np.ndarray:
    """Which of an at-risk queue's rows are at risk: not yet breached, with AT_RISK_SHARE of
    their target or less left."""
    if queue.empty:
        return np.zeros(0, dtype=bool)
    breached = queue["breached"].to_numpy(dtype=bool)
    left = queue["remaining_hours"].to_numpy(dtype=float) * 3600
    return ~breached & (left <= AT_RISK_SHARE * queue["target_seconds"].to_numpy(dtype=float))


# -- SLA attainment ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AttainmentPage:
    trend: pd.DataFrame  # period x severity
    by_period: pd.DataFrame  # period, all severities
    distribution: pd.DataFrame  # per severity: median, p90, p95, near misses, overshoot
    resolution: pd.DataFrame  # per severity: resolved, median, p90, verdicts against targets
    bins: dict[int, pd.DataFrame]  # per level: the response-time histogram
    breaches: pd.DataFrame  # at most SHOWN_ROWS
    breaches_total: int  # every breach of the period (the table may show fewer)


def attainment_page(engine: Engine, policy: Policy, view: View) -> AttainmentPage:
    scope = view.scope()
    counts, seconds, breaches, resolution = together(
        lambda: analytics.attainment_rows(engine, scope, grain=view.grain),
        # read once: the distribution table and the histograms both come from it
        lambda: time_lists.response_times(engine, scope.filters),
        lambda: analytics.breaches(engine, scope, calendar_for(policy, view), limit=SHOWN_ROWS),
        lambda: analytics.resolution_distribution(engine, scope, policy),
    )
    trend = analytics.attainment(engine, scope, by=("period", "severity"), rows=counts)
    by_period = analytics.attainment(engine, scope, by=("period",), rows=counts)
    distribution = analytics.distribution_table(seconds, policy)
    bins = {
        s.level: response_bins(
            seconds["response_business_seconds"][seconds["severity"] == s.level],
            s.response_seconds,
        )
        for s in policy.severities
    }
    return AttainmentPage(
        trend=every_period(periods_as_text(trend), view, policy.levels),
        by_period=periods_as_text(by_period),
        distribution=distribution,
        resolution=resolution,
        bins=bins,
        breaches=breaches,
        breaches_total=int(by_period["breached"].sum()),
    )


# -- Backlog -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BacklogPage:
    backlog: pd.DataFrame  # open cases per day (or Sunday) and severity
    ageing: pd.DataFrame  # open cases by age bucket and severity
    ages: pd.DataFrame  # open cases per day created and severity, with their business-day age
    opened_resolved: pd.DataFrame
    queue: pd.DataFrame  # unanswered open cases, breached first: at most SHOWN_ROWS
    queue_counts: QueueCounts  # of the whole queue


def backlog_page(engine: Engine, policy: Policy, view: View) -> BacklogPage:
    last = min(view.period.last, view.as_of.astimezone(policy.calendar.zone).date())
    first = min(view.period.first, last)
    open_cases = analytics.backlog(engine, view.filters, first=first, last=last)
    if (last - first).days > DAILY_BACKLOG_DAYS:  # years: every Sunday, and the last day
        keep = pd.to_datetime(open_cases["day"])
        open_cases = open_cases[(keep.dt.day_of_week == 6) | (open_cases["day"] == last)]
    ages = analytics.ageing(engine, view.scope(), policy)
    opened = analytics.opened_resolved(engine, view.scope().filters, grain=view.grain)
    calendar = calendar_for(policy, view)
    live = analytics.Scope(view.filters, view.as_of)
    queue, counted = together(
        lambda: analytics.at_risk(engine, live, calendar, limit=SHOWN_ROWS),
        lambda: queue_by_severity(engine, policy, calendar, live),
    )
    return BacklogPage(
        backlog=open_cases.reset_index(drop=True),
        ageing=ageing_buckets(ages) if not ages.empty else ages.assign(bucket=[], cases=[]),
        ages=ages,
        opened_resolved=periods_as_text(opened),
        queue=queue,
        queue_counts=queue_totals(counted),
    )


# -- Scope and dismissals ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ScopePage:
    trend: pd.DataFrame  # dismissal rate per period, a column per reason
    by_customer: pd.DataFrame  # highest rate first
    with_without: pd.DataFrame  # attainment per severity with and without dismissed cases
    channels: pd.DataFrame  # cases per severity and channel
    email_flagged: int  # email cases on levels the policy keeps off email
    reasons: tuple[str, ...]


def scope_page(engine: Engine, policy: Policy, view: View) -> ScopePage:
    scope = view.scope()
    trend = analytics.dismissals(engine, scope, by=("period",), grain=view.grain)
    customers = analytics.dismissals(engine, scope, by=("customer",))
    with_dismissed = analytics.attainment(engine, scope, by=("severity",))
    without = analytics.attainment(engine, scope, by=("severity",), include_dismissed=False)
    both = with_dismissed[["severity", "met", "breached", "attainment"]].merge(
        without[["severity", "met", "breached", "attainment"]],
        on="severity",
        how="outer",
        suffixes=("_all", "_in_scope"),
    )
    channels = analytics.channels(engine, scope)
    email = channels["email_outside_emergency"] if not channels.empty else None
    return ScopePage(
        trend=periods_as_text(trend),
        by_customer=customers.sort_values("rate", ascending=False, na_position="last"),
        with_without=both.sort_values("severity").reset_index(drop=True),
        channels=channels,
        email_flagged=int(channels.loc[email, "cases"].sum()) if email is not None else 0,
        reasons=DISMISSAL_REASONS,
    )


# -- Customers -----------------------------------------------------------------------------------

# A rate on fewer cases than this is shown with its count and marked "only": too few for the
# rate to say much about a customer (issue 15: "66.7%" of 3 cases must not read like a
# quarter's figure).
OPEN_STATES = ("overdue", "unanswered", "answered", "not timed")  # the open cases' order
ALL_REASONS = "all"  # the dismissal table's total row


@dataclass(frozen=True, eq=False)
class CustomerPage:
    # side_by_side(theirs, everyone, other="all"), with everyone's met and breached: the counts
    # behind every rate
    table: pd.DataFrame
    theirs: Headline
    everyone: Headline  # every customer, under the same other filters
    trend: pd.DataFrame  # the customer's attainment, period x severity
    breaches: pd.DataFrame  # the customer's, at most SHOWN_ROWS
    # the customer's cases open at as_of, whenever created, at most SHOWN_ROWS: each with its
    # state (OPEN_STATES) and business hours left or overdue; the overdue first, longest first
    open_cases: pd.DataFrame
    overdue: pd.DataFrame  # every one of them unanswered past its deadline (overdue())
    dismissals: pd.DataFrame  # per policy reason: the customer's beside everyone's
    ranking: pd.DataFrame  # every customer under the view's filters (customer_ranking)


@dataclass(frozen=True, eq=False)
class CustomerFigures:
    """One customer's figures: customer_figures under a view narrowed to them."""

    headline: Headline
    trend: pd.DataFrame  # attainment, period x severity
    breaches: pd.DataFrame  # at most SHOWN_ROWS
    open_cases: pd.DataFrame  # open at as_of, whenever created, at most SHOWN_ROWS (open_states)
    overdue: int  # open at as_of and unanswered past their deadline, whenever created


@dataclass(frozen=True, eq=False)
class EveryoneFigures:
    """Every customer's figures under a view: everyone_figures."""

    headline: Headline
    ranking: pd.DataFrame  # every customer, worst first (rank_customers)


def customer_page(engine: Engine, policy: Policy, view: View, customer: str) -> CustomerPage:
    """One customer's headline beside everyone's, under the same other filters; their open
    cases (whenever created), which are overdue, their breaches and dismissals. The two
    halves are read apart (the page caches each: a change of the sidebar's filters leaves
    the customer's figures as they were, a change of customer leaves everyone's)."""
    theirs, everyone = together(
        lambda: customer_figures(engine, policy, view.narrowed(customers=(customer,))),
        lambda: everyone_figures(engine, policy, view),
    )
    return customer_page_of(theirs, everyone)


def customer_figures(engine: Engine, policy: Policy, view: View) -> CustomerFigures:
    """The figures of the customer `view` is narrowed to (View.narrowed): the headline and
    its trend, breaches, and their cases open at as-of whenever created."""
    calendar = calendar_for(policy, view)
    live = analytics.Scope(view.filters, view.as_of)  # open cases: whenever created
    (counts, _, headline), breaches, queue, opened = together(
        lambda: headline_and_counts(engine, policy, view),
        lambda: analytics.breaches(engine, view.scope(), calendar, limit=SHOWN_ROWS),
        lambda: analytics.queue_counts(engine, live, policy),
        lambda: queries.run(
            engine, "open_case_list", filters=live.filters, as_of=view.as_of, limit=SHOWN_ROWS
        ),
    )
    trend = analytics.attainment(engine, view.scope(), by=("period", "severity"), rows=counts)
    return CustomerFigures(
        headline=headline,
        trend=every_period(periods_as_text(trend), view, policy.levels),
        breaches=breaches,
        open_cases=open_states(opened, calendar, view.as_of),
        overdue=int(queue["overdue"].sum()),
    )


def everyone_figures(engine: Engine, policy: Policy, view: View) -> EveryoneFigures:
    """Every customer's headline under the view, and the ranking of the customers, grouped
    from the same counts."""
    (all_counts, all_dismissed, headline), open_now = together(
        lambda: headline_and_counts(engine, policy, view),
        lambda: analytics.open_by_customer(engine, analytics.Scope(view.filters, view.as_of)),
    )
    ranking = rank_customers(
        analytics.attainment(engine, view.scope(), by=("customer",), rows=all_counts),
        analytics.dismissals(engine, view.scope(), by=("customer",), rows=all_dismissed),
        open_now,
    )
    return EveryoneFigures(headline=headline, ranking=ranking)


def customer_page_of(theirs: CustomerFigures, everyone: EveryoneFigures) -> CustomerPage:
    """The page from its two halves (a few rows of arithmetic: no read)."""
    mine, all_ = theirs.headline, everyone.headline
    table = side_by_side(mine, all_, other="all")
    table["all_met"] = [s.counts.met for s in all_.severities]
    table["all_breached"] = [s.counts.breached for s in all_.severities]
    if all_.has_resolution_targets:
        table["all_resolution_met"] = [s.resolution.met for s in all_.severities]
        table["all_resolution_breached"] = [s.resolution.breached for s in all_.severities]
    return CustomerPage(
        table=table,
        theirs=mine,
        everyone=all_,
        trend=theirs.trend,
        breaches=theirs.breaches,
        open_cases=theirs.open_cases,
        overdue=theirs.overdue,
        dismissals=dismissal_table(mine, all_),
        ranking=everyone.ranking,
    )


def open_states(
    opened: pd.DataFrame, calendar: BusinessCalendar, as_of: dt.datetime
) -> pd.DataFrame:
    """Open cases (open_case_list.sql) with their state at as_of, judged as the at-risk queue
    judges them (analytics.at_risk): overdue (unanswered past the breach instant), unanswered,
    answered (awaiting resolution), or not timed (the export records no response); in
    open_case_list's order: the overdue (longest overdue first), then the unanswered by
    deadline, then the answered and the not timed by creation. `hours`: business hours left,
    or overdue by, for the unanswered."""
    recorded = opened["response_recorded"].to_numpy(dtype=bool)
    first = opened["first_response_at"]
    unanswered = recorded & (first.isna() | (first > as_of)).to_numpy(dtype=bool)
    late = unanswered & (opened["response_breach_at"] <= as_of).to_numpy(dtype=bool)
    remaining = np.full(len(opened), np.nan)
    if unanswered.any():
        due = pd.to_datetime(opened.loc[unanswered, "response_deadline"], utc=True)
        deadline = due.dt.as_unit("s").astype("int64").to_numpy()
        remaining[unanswered] = calendar.between(int(as_of.timestamp()), deadline) / 3600
    state = np.select([late, unanswered, ~recorded], ["overdue", "unanswered", "not timed"],
                      default="answered")  # fmt: skip
    frame = opened.drop(columns=["response_breach_at"]).assign(
        state=state,
        hours=np.where(late, -remaining, remaining),
        _order=pd.Categorical(state, categories=OPEN_STATES).codes,
        # the queue by its deadlines (the longest overdue first), the rest by creation
        _when=opened["response_deadline"].where(unanswered, opened["created_at"]),
    )
    ordered = frame.sort_values(["_order", "_when", "case_id"], kind="stable")
    return ordered.drop(columns=["_order", "_when"]).reset_index(drop=True)


def dismissal_table(theirs: Headline, everyone: Headline) -> pd.DataFrame:
    """Per policy reason, then ALL_REASONS: cases dismissed as out of scope, of all cases in
    the period, the customer's beside everyone's (rates from the counts)."""
    rows = []
    mine, all_ = theirs.dismissals, everyone.dismissals
    for reason in (*DISMISSAL_REASONS, ALL_REASONS):
        every = reason == ALL_REASONS
        dismissed = mine.dismissed if every else mine.by_reason.get(reason, 0)
        all_dismissed = all_.dismissed if every else all_.by_reason.get(reason, 0)
        rows.append(
            {
                "reason": reason,
                "dismissed": dismissed,
                "cases": mine.cases,
                "rate": ratio(dismissed, mine.cases),
                "all_dismissed": all_dismissed,
                "all_cases": all_.cases,
                "all_rate": ratio(all_dismissed, all_.cases),
            }
        )
    return pd.DataFrame(rows)


def customer_ranking(engine: Engine, policy: Policy, view: View) -> pd.DataFrame:
    """Every customer the person may see under the view's filters, worst first (rank_customers):
    three grouped queries for all of them, never one per customer."""
    del policy  # the stored verdicts are the policy's; taken for ui.figures' signature
    scope = view.scope()
    judged, dismissed, live = together(
        lambda: analytics.attainment(engine, scope, by=("customer",)),
        lambda: analytics.dismissals(engine, scope, by=("customer",)),
        lambda: analytics.open_by_customer(engine, analytics.Scope(view.filters, view.as_of)),
    )
    return rank_customers(judged, dismissed, live)


def rank_customers(
    judged: pd.DataFrame, dismissed: pd.DataFrame, live: pd.DataFrame
) -> pd.DataFrame:
    """One row per customer with a case in the period or a case open now: cases, met,
    breached, pending, attainment (met / (met + breached)), open and overdue now (whenever
    created), dismissed and the dismissal rate (dismissed / cases). Worst first: the lowest
    attainment (none to judge last), then the most breaches, then the most overdue, then by
    name. Cases without a customer are no customer's and are left out."""
    counts = ["cases", "met", "breached", "pending"]
    frame = (
        judged[["customer", *counts]]
        .merge(dismissed[["customer", "dismissed"]], on="customer", how="outer")
        .merge(live[["customer", "open_cases", "overdue"]], on="customer", how="outer")
    )
    frame = frame[frame["customer"].notna() & (frame["customer"] != "")]
    whole = [*counts, "dismissed", "open_cases", "overdue"]
    frame[whole] = frame[whole].astype("float64").fillna(0).astype(np.int64)
    judged_cases = frame["met"] + frame["breached"]
    frame["attainment"] = analytics.rate(frame["met"], judged_cases).to_numpy()
    frame["dismissal_rate"] = analytics.rate(frame["dismissed"], frame["cases"]).to_numpy()
    worst = frame.assign(_rate=frame["met"] / judged_cases.where(judged_cases > 0))
    worst = worst.sort_values(
        ["_rate", "breached", "overdue", "customer"],
        ascending=[True, False, False, True],
        na_position="last",
    )
    columns = ["customer", "cases", "met", "breached", "pending", "attainment", "open_cases",
               "overdue", "dismissed", "dismissal_rate"]  # fmt: skip
    return worst[columns].reset_index(drop=True)


# -- Policy --------------------------------------------------------------------------------------


def closed_days(policy: Policy, years: tuple[int, int]) -> pd.DataFrame:
    """Holidays and closures that stop the clock on working days, for the years given."""
    lo, hi = supported_years(policy.calendar)
    first, last = max(years[0], lo), min(years[1], hi)
    if first > last:
        return pd.DataFrame(columns=["date", "weekday", "name"])
    days = _calendar(policy.calendar, first, last).closed_days
    return pd.DataFrame(
        {
            "date": list(days),
            "weekday": [d.strftime("%a") for d in days],
            "name": list(days.values()),
        }
    )


def what_if(engine: Engine, stored: Policy, other: Policy, view: View) -> pd.DataFrame:
    """Per severity, the stored figures beside the figures under another policy: response,
    then resolution (with the verdicts when either policy sets resolution targets)."""
    result = whatif.compare(engine, view.scope(), stored, other)
    rows = []
    for now, then in zip(result.stored.severities, result.other.severities, strict=False):
        rows.append(
            {
                "severity": now.level,
                "name": now.name,
                "target_hours": now.target_hours,
                "what_if_target_hours": then.target_hours,
                "met": now.counts.met,
                "what_if_met": then.counts.met,
                "breached": now.counts.breached,
                "what_if_breached": then.counts.breached,
                "attainment": now.attainment,
                "what_if_attainment": then.attainment,
                "median_hours": now.median_response_hours,
                "what_if_median_hours": then.median_response_hours,
                "resolution_median_hours": now.resolution.median_hours,
                "what_if_resolution_median_hours": then.resolution.median_hours,
            }
            | (
                {
                    "resolution_target_hours": now.resolution.target_hours,
                    "what_if_resolution_target_hours": then.resolution.target_hours,
                    "resolution_attainment": now.resolution.attainment,
                    "what_if_resolution_attainment": then.resolution.attainment,
                }
                if stored.has_resolution_targets or other.has_resolution_targets
                else {}
            )
        )
    stored_totals, other_totals = result.stored.totals, result.other.totals
    totals = {"severity": None, "name": "All", "target_hours": None, "what_if_target_hours": None}
    for key in ("met", "breached", "attainment"):
        totals[key] = getattr(stored_totals, key)
        totals[f"what_if_{key}"] = getattr(other_totals, key)
    return pd.DataFrame([*rows, totals])


def policy_document(policy: Policy) -> dict:
    """The policy as the TOML-shaped dict parse_policy reads: what the what-if editor edits."""
    cal = policy.calendar
    document: dict = {
        "name": policy.name,
        "calendar": {
            "timezone": cal.timezone,
            "workdays": [WEEKDAY_NAMES[d] for d in cal.workdays],
            "open": clock(cal.open_seconds),
            "close": clock(cal.close_seconds),
            "closures": [{"date": c.day.isoformat(), "name": c.name} for c in cal.closures],
        },
        "severity": [
            {"level": s.level, "name": s.name, "response_hours": s.response_hours,
             "impact": s.impact}
            | ({} if s.resolution_seconds is None
               else {"resolution_hours": s.resolution_seconds / 3600})
            for s in policy.severities
        ],
    }  # fmt: skip
    # Rules of case histories (issue 12), written only when set, as the policy file does.
    if policy.severity_rule != "final":
        document["scoring"] = {"severity": policy.severity_rule}
    if policy.pause_statuses:
        document["pauses"] = {"statuses": list(policy.pause_statuses)}
    if cal.holidays is not None:
        document["calendar"]["holidays"] = {"country": cal.holidays.country}
        if cal.holidays.subdivision:
            document["calendar"]["holidays"]["subdivision"] = cal.holidays.subdivision
    if policy.attainment_goal is not None:
        document["attainment_goal"] = policy.attainment_goal
    if policy.scope.in_scope or policy.scope.out_of_scope:
        document["scope"] = {
            "in_scope": policy.scope.in_scope,
            "out_of_scope": dict(policy.scope.out_of_scope),
        }
    return document


# -- Import --------------------------------------------------------------------------------------


def mapping_used(fmt, header: list[str]) -> pd.DataFrame:
    """Which column of the file each field was read from (the first listed one present)."""
    present = {h.strip().lower(): h for h in header}
    sources = dict(fmt.columns.items())
    sources["first_response_at"] = fmt.first_response_column
    sources["first_response_at (minutes after creation)"] = fmt.first_response_minutes
    sources["first_response_at (hours after creation)"] = fmt.first_response_hours
    rows = []
    for field, names in sources.items():
        found = next((present[n.strip().lower()] for n in names if n.strip().lower() in present),
                     None)  # fmt: skip
        if names:
            rows.append({"field": field, "column": found or "(not in this file)"})
    return pd.DataFrame(rows, columns=["field", "column"])


def import_history(
    engine: Engine, scope: tuple[str, ...] | None = None, limit: int = 200
) -> pd.DataFrame:
    """The import log, newest first, each import with its status: finished, running, or
    interrupted (its process ended before it finished: nothing of it was stored); empty for a
    person who does not see every customer (imports span customers)."""
    history = queries.run(engine, "import_history", filters=Filters(scope=scope), limit=limit)
    unfinished = import_log.states(engine) if len(history) else {}
    status = [unfinished.get(int(i), import_log.FINISHED) for i in history["id"]]
    history.insert(2, "status", pd.Series(status, index=history.index, dtype=object))
    return history


def rejects_of_import(
    engine: Engine, import_id: int, scope: tuple[str, ...] | None = None
) -> pd.DataFrame:
    return queries.run(engine, "rejects_of_import", filters=Filters(scope=scope),
                       import_id=int(import_id))  # fmt: skip


# -- Reconciliation ------------------------------------------------------------------------------


def reconciliation_page(
    engine: Engine,
    policy: Policy,
    view: View,
    zones: tuple[str, ...] = (),
    source: str | None = None,
) -> reconcile.Reconciliation:
    """Our verdicts beside the helpdesk's for the cases of the period (of one source, or all),
    and why they differ: every disagreement counted by cause, the first SHOWN_ROWS read."""
    scope = view.scope()
    return reconcile.reconcile(engine, policy, scope.filters, view.as_of, zones=zones,
                               source=source, limit=SHOWN_ROWS)  # fmt: skip


# -- shared --------------------------------------------------------------------------------------


def calendar_for(policy: Policy, view: View) -> BusinessCalendar:
    """The business calendar from a year before the period to a year after as_of, trimmed to
    the years the holiday list covers (deadlines of open cases fall in between)."""
    lo, hi = supported_years(policy.calendar)
    first = min(view.period.first.year - 1, view.as_of.year - 1)
    last = max(view.period.last.year, view.as_of.year) + 1
    return _calendar(policy.calendar, max(first, lo), min(last, hi))


@lru_cache(maxsize=16)
def _calendar(spec: CalendarSpec, first_year: int, last_year: int) -> BusinessCalendar:
    return BusinessCalendar.build(spec, first_year=first_year, last_year=last_year)


def every_period(trend: pd.DataFrame, view: View, levels: tuple[int, ...]) -> pd.DataFrame:
    """The trend (period as text x severity) with a row for every period of the view and
    level, empty ones with no case and no attainment: a chart then breaks its line across a
    period with nothing to judge instead of joining the periods either side."""
    labels = period_labels(view.period, view.grain)
    grid = pd.MultiIndex.from_product([labels, list(levels)], names=["period", "severity"])
    known = trend.set_index(["period", "severity"])
    full = known.reindex(grid.union(known.index, sort=False))
    counts = [
        c for c in full.columns if c != "attainment" and pd.api.types.is_numeric_dtype(full[c])
    ]
    full[counts] = full[counts].fillna(0).astype(np.int64)
    return full.reset_index()


def period_labels(period: periods.Period, grain: str) -> list[str]:
    """Each week (its Monday, ISO) or month (YYYY-MM) the period touches, as the trend names
    them (queries group by calendar_days.week and .month)."""
    if grain == "week":
        monday = period.first - dt.timedelta(days=period.first.weekday())
        weeks = (period.last - monday).days // 7 + 1
        return [(monday + dt.timedelta(weeks=i)).isoformat() for i in range(weeks)]
    months = pd.period_range(period.first, period.last, freq="M")
    return [str(m) for m in months]


def periods_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods as ISO text (weeks are dates): charts draw them as ordered labels."""
    if "period" in frame:
        frame = frame.assign(period=frame["period"].map(_period_text))
    return frame


def _period_text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
