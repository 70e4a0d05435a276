"""Reconciliation: our first-response verdict beside the helpdesk's own, and why they differ.

Compared are the cases with both verdicts, met or breached (pending, invalid, unscored and
dismissed cases are counted apart). Each disagreement is re-scored with our engine under
alternative hypotheses, in a fixed order; the first under which our verdict becomes the
helpdesk's is its cause (tested, not guessed). A hypothesis that counts more time than
another (wall-clock time counts every hour a 24-hour calendar does) is tested after it, or
the narrower one could never be named:

1. always_open: a 24-hour calendar: every hour of the working days (weekends, public holidays
   and closures still closed);
2. calendar_hours: elapsed wall-clock time against the target (24x7);
3. time_zone: the policy's hours, in another zone (named by the user);
4. resolution_time: the time to resolution (business time less pauses) against the target;
5. other_severity: the response time against another severity's target;
6. near_deadline: within NEAR_DEADLINE_SECONDS of the deadline (clock skew or rounding);
7. unexplained.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import queries
from dashboard.business_hours import BusinessCalendar
from dashboard.policy import Policy
from dashboard.queries import Filters

NEAR_DEADLINE_SECONDS = 5 * 60
VERDICTS = ("met", "breached")
CAUSES = {
    "always_open": "the helpdesk counts every hour of the working days (a 24-hour calendar)",
    "calendar_hours": "the helpdesk counts calendar hours (24x7), not business hours",
    "time_zone": "the helpdesk counts the same hours in another time zone",
    "resolution_time": "the helpdesk measures the time to resolution, not the first response",
    "other_severity": "the helpdesk applies another severity's target (a severity change)",
    "near_deadline": "the response came within a few minutes of the deadline (clock or rounding)",
    "unexplained": "no hypothesis tested explains the difference",
}
LABELS = {  # each cause as a chart or table names it
    "always_open": "24-hour days",
    "calendar_hours": "Calendar hours",
    "time_zone": "Another time zone",
    "resolution_time": "Resolution time",
    "other_severity": "Another severity's target",
    "near_deadline": "Minutes from the deadline",
    "unexplained": "Unexplained",
}
MATRIX = ("both_met", "both_breached", "we_met_they_breached", "we_breached_they_met")


@dataclass(frozen=True)
class Agreement:
    """One severity's (or the total's) agreement matrix."""

    level: int | None
    compared: int = 0
    both_met: int = 0
    both_breached: int = 0
    we_met_they_breached: int = 0
    we_breached_they_met: int = 0

    @property
    def agreement(self) -> float | None:
        """Agreeing cases over compared cases: counted, never averaged."""
        if not self.compared:
            return None
        return (self.both_met + self.both_breached) / self.compared

    def as_json(self) -> dict:
        shown = {"level": self.level} if self.level is not None else {}
        counts = {k: getattr(self, k) for k in ("compared", *MATRIX)}
        return {**shown, **counts, "agreement": self.agreement}


@dataclass(frozen=True)
class Reconciliation:
    severities: tuple[Agreement, ...]
    totals: Agreement
    causes: dict[str, int]  # cause -> disagreeing cases it explains (first that does)
    no_vendor_verdict: int  # cases with our met/breached verdict and none from the helpdesk
    not_compared: dict[str, int]  # pending, invalid, unscored, dismissed
    disagreements: pd.DataFrame = field(compare=False)  # one row per case, with its cause

    def as_json(self) -> dict:
        disagreeing = sum(self.causes.values())
        return {
            "severities": [s.as_json() for s in self.severities],
            "totals": self.totals.as_json(),
            "causes": [
                {
                    "cause": cause,
                    "label": LABELS[cause],
                    "cases": cases,
                    "share": cases / disagreeing if disagreeing else 0.0,
                    "description": CAUSES[cause],
                }
                for cause, cases in self.causes.items()
                if cases
            ],
            "no_vendor_verdict": self.no_vendor_verdict,
            "not_compared": self.not_compared,
        }

    def headline(self) -> str | None:
        """'87% of the disagreements vanish if ServiceNow is measuring resolution' in words."""
        disagreeing = sum(self.causes.values())
        if not disagreeing:
            return None
        cause, cases = max(self.causes.items(), key=lambda item: item[1])
        if cause == "unexplained":
            return f"{cases / disagreeing:.0%} of the disagreements are unexplained"
        return f"{cases / disagreeing:.0%} of the disagreements vanish if {CAUSES[cause]}"


def reconcile(
    engine: Engine,
    policy: Policy,
    filters: Filters,
    as_of: dt.datetime,
    *,
    source: str | None = None,
    zones: tuple[str, ...] = (),
) -> Reconciliation:
    rows = queries.run(engine, "reconcile_cases", filters=filters, as_of=as_of,
                       all_sources=source is None, source=source or "")  # fmt: skip
    return reconcile_rows(rows, policy, zones=zones)


def reconcile_rows(
    rows: pd.DataFrame, policy: Policy, *, zones: tuple[str, ...] = ()
) -> Reconciliation:
    """The matrix and causes of rows of queries/reconcile_cases.sql (pure: no database)."""
    ours, theirs = rows["response_status"], rows["vendor_sla"]
    dismissed = rows["dismissal_reason"].notna()
    recorded = rows["response_recorded"].astype(bool)
    judged = ours.isin(VERDICTS) & ~dismissed
    vendor = theirs.isin(VERDICTS)
    compared = rows[judged & vendor]
    not_compared = {
        "pending": int((ours.isna() & recorded & ~dismissed).sum()),
        "invalid": int((ours == "invalid").sum()),
        "unscored": int((~recorded & ~dismissed).sum()),
        "dismissed": int(dismissed.sum()),
    }
    severities = tuple(_agreement(compared[compared["severity"] == s.level], s.level)
                       for s in policy.severities)  # fmt: skip
    disagree = compared[compared["response_status"] != compared["vendor_sla"]].copy()
    disagree["cause"] = _causes(disagree, policy, zones)
    causes = {c: int((disagree["cause"] == c).sum()) for c in CAUSES}
    return Reconciliation(
        severities=severities,
        totals=_agreement(compared, None),
        causes=causes,
        no_vendor_verdict=int((judged & ~vendor).sum()),
        not_compared=not_compared,
        disagreements=disagree,
    )


def _agreement(rows: pd.DataFrame, level: int | None) -> Agreement:
    ours, theirs = rows["response_status"], rows["vendor_sla"]
    return Agreement(
        level=level,
        compared=len(rows),
        both_met=int(((ours == "met") & (theirs == "met")).sum()),
        both_breached=int(((ours == "breached") & (theirs == "breached")).sum()),
        we_met_they_breached=int(((ours == "met") & (theirs == "breached")).sum()),
        we_breached_they_met=int(((ours == "breached") & (theirs == "met")).sum()),
    )


def _causes(rows: pd.DataFrame, policy: Policy, zones: tuple[str, ...]) -> np.ndarray:
    """The first hypothesis under which each row's verdict becomes the helpdesk's."""
    cause = np.full(len(rows), "unexplained", dtype=object)
    if rows.empty:
        return cause
    wanted_met = (rows["vendor_sla"] == "met").to_numpy()
    target = rows["target_seconds"].to_numpy(np.int64)
    start = _seconds(rows["created_at"])
    end = _seconds(rows["first_response_at"])
    answered = ~np.isnan(end)
    open_ = np.where(answered, end, start).astype(np.int64)
    spec = policy.calendar
    always = dataclasses.replace(spec, open_seconds=0, close_seconds=86_400)
    tests: list[tuple[str, np.ndarray]] = [
        ("always_open", _business(always, start, open_, answered)),
        ("calendar_hours", np.where(answered, open_ - start, np.nan)),
    ]
    for zone in zones:
        other = dataclasses.replace(spec, timezone=zone)
        tests.append(("time_zone", _business(other, start, open_, answered)))
    resolution = rows["resolution_business_seconds"].to_numpy(np.float64)
    tests.append(("resolution_time", resolution))
    taken = np.zeros(len(rows), dtype=bool)
    for name, elapsed in tests:
        agrees = ~np.isnan(elapsed) & ((elapsed <= target) == wanted_met) & ~taken
        cause[agrees] = name
        taken |= agrees
    response = rows["response_business_seconds"].to_numpy(np.float64)
    other_targets = {s.response_seconds for s in policy.severities}
    for seconds in sorted(other_targets):
        agrees = (~np.isnan(response) & (target != seconds)
                  & ((response <= seconds) == wanted_met) & ~taken)  # fmt: skip
        cause[agrees] = "other_severity"
        taken |= agrees
    near = ~np.isnan(response) & (np.abs(response - target) <= NEAR_DEADLINE_SECONDS) & ~taken
    cause[near] = "near_deadline"
    return cause


def _business(spec, start: np.ndarray, end: np.ndarray, answered: np.ndarray) -> np.ndarray:
    calendar = BusinessCalendar.covering(spec, start, end)
    return np.where(answered, calendar.between(start, end).astype(np.float64), np.nan)


def _seconds(values: pd.Series) -> np.ndarray:
    """Aware instants as float UTC seconds (NaN where missing)."""
    stamps = pd.to_datetime(values, utc=True)
    seconds = (stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return np.asarray(seconds, dtype=np.float64)
