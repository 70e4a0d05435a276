"""Reconciliation: our first-response verdict beside the helpdesk's own, and why they differ.

Compared are the cases with both verdicts, met or breached (pending, invalid, unscored and
dismissed cases are counted apart). Each disagreement is re-scored with our engine under
alternative hypotheses, in a fixed order; the first under which our verdict becomes the
helpdesk's is its cause (tested, not guessed). A hypothesis that counts more time than
another (wall-clock time counts every hour a 24-hour calendar does) is tested after it, or
the narrower one could never be named:

1. no_holidays: the policy's hours with no public holidays or closures;
2. always_open: a 24-hour calendar: every hour of the working days (weekends, public holidays
   and closures still closed);
3. calendar_hours: elapsed wall-clock time against the target (24x7);
4. time_zone: the policy's hours, in another zone (named by the user, or implied by the
   export: the zone its timestamps were read in);
5. helpdesk_clock: the helpdesk's own response time (when the export gives one) against the
   target gives its verdict: its clock differs from ours in a way 1-4 do not reproduce;
6. resolution_time: the time to resolution (business time less pauses) against the target;
7. other_severity: the response time against another severity's target;
8. near_deadline: within NEAR_DEADLINE_SECONDS of the deadline (clock skew or rounding);
9. unexplained.

Where an export gives the helpdesk's business-time figure but no verdict (Zendesk's reply
time within business hours), the helpdesk's verdict is that figure against the policy's target.
Such a verdict is the helpdesk's clock, not its SLA policy: 5-7 cannot explain it and are not
tried, and how many compared verdicts are such is said beside the matrix (`from_figures`). A
wall-clock figure alone makes no verdict (a helpdesk does not judge business-hour targets in
wall-clock time); it is kept as evidence for helpdesk_clock.
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
from dashboard.parallel import together
from dashboard.policy import Policy
from dashboard.queries import Filters

NEAR_DEADLINE_SECONDS = 5 * 60
VERDICTS = ("met", "breached")
CAUSES = {
    "no_holidays": "the helpdesk's calendar has no public holidays or closures",
    "always_open": "the helpdesk counts every hour of the working days (a 24-hour calendar)",
    "calendar_hours": "the helpdesk counts calendar hours (24x7), not business hours",
    "time_zone": "the helpdesk counts the same hours in another time zone",
    "helpdesk_clock": "the helpdesk's own response time gives its verdict: it counts time "
    "differently from us, in a way no hypothesis above reproduces",
    "resolution_time": "the helpdesk measures the time to resolution, not the first response",
    "other_severity": "the helpdesk applies another severity's target (a severity change)",
    "near_deadline": "the response came within a few minutes of the deadline (clock or rounding)",
    "unexplained": "no hypothesis tested explains the difference",
}
LABELS = {  # each cause as a chart or table names it
    "no_holidays": "No public holidays",
    "always_open": "24-hour days",
    "calendar_hours": "Calendar hours",
    "time_zone": "Another time zone",
    "helpdesk_clock": "The helpdesk's own clock",
    "resolution_time": "Resolution time",
    "other_severity": "Another severity's target",
    "near_deadline": "Minutes from the deadline",
    "unexplained": "Unexplained",
}
MATRIX = ("both_met", "both_breached", "we_met_they_breached", "we_breached_they_met")
MATRIX_LABELS = {  # the matrix's columns as the page, the CLI's readers and the packs name them
    "compared": "Compared",
    "both_met": "Both met",
    "both_breached": "Both breached",
    "we_met_they_breached": "Met for us, breached for the helpdesk",
    "we_breached_they_met": "Breached for us, met for the helpdesk",
    "agreement": "Agreement",
}
# Where the helpdesk's verdict comes from (the `basis` of each compared case)
STATED, BUSINESS_FIGURE = "stated", "business_figure"
BASES = {
    STATED: "the helpdesk's own verdict",
    BUSINESS_FIGURE: "the helpdesk's business-time figure against the policy's target",
}


def why(cause: str, detail: str = "") -> str:
    """A cause as a table names it, with what was tried: 'Another time zone (UTC)'."""
    return f"{LABELS[cause]} ({detail})" if detail else LABELS[cause]


@dataclass(frozen=True)
class Agreement:
    """One severity's (or the total's) agreement matrix."""

    level: int | None  # None: the total, or one source's
    source: str | None = None  # set on a source's matrix
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
        if self.source is not None:
            shown["source"] = self.source
        counts = {k: getattr(self, k) for k in ("compared", *MATRIX)}
        return {**shown, **counts, "agreement": self.agreement}


@dataclass(frozen=True)
class Reconciliation:
    severities: tuple[Agreement, ...]
    sources: tuple[Agreement, ...]  # one matrix per source that has compared cases
    totals: Agreement
    causes: dict[str, int]  # cause -> disagreeing cases it explains (first that does)
    no_vendor_verdict: int  # cases with our met/breached verdict and none from the helpdesk
    not_compared: dict[str, int]  # pending, invalid, unscored, dismissed
    from_figures: int  # compared cases whose helpdesk verdict is its business-time figure
    zones: tuple[str, ...]  # the zones tried for time_zone (given and implied)
    disagreeing: int  # the disagreeing cases, all counted in `causes`
    # one row per case, with its cause: every one, or the first of a limit (reconcile's)
    disagreements: pd.DataFrame = field(compare=False)

    def as_json(self) -> dict:
        disagreeing = sum(self.causes.values())
        return {
            "severities": [s.as_json() for s in self.severities],
            "sources": [s.as_json() for s in self.sources],
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
            "from_figures": self.from_figures,
            "zones_tried": list(self.zones),
        }

    def figures_note(self) -> str | None:
        """How many compared verdicts are the helpdesk's time, not its verdict, in words."""
        if not self.from_figures:
            return None
        return (
            f"{self.from_figures:,} of the {self.totals.compared:,} compared verdicts are the "
            "helpdesk's business-time figure against the policy's target: the export gives the "
            "helpdesk's time, not its verdict"
        )

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
    limit: int | None = None,
) -> Reconciliation:
    """The cases of the filters (and source), reconciled; the zones the sources' timestamps
    were read in are tried after the given ones (an export in UTC may be a helpdesk counting
    in UTC). With a `limit`, `disagreements` holds the first that many (as a page lists
    them); the causes still count every disagreement, read as numbers alone."""
    if source is not None:
        filters = dataclasses.replace(filters, sources=(source,))
    # Counted in the database, and only the disagreeing cases read: the same figures as
    # reconcile_rows over every case of the period (reconcile_cases.sql), which at a million
    # cases spent 20 s carrying them through the driver.
    shown = queries.EVERY if limit is None else limit
    counts, disagreeing, implied, numbers = together(
        lambda: queries.run(engine, "reconcile_counts", filters=filters, as_of=as_of),
        lambda: queries.run(
            engine, "reconcile_disagreements", filters=filters, as_of=as_of, limit=shown
        ),
        lambda: queries.run(engine, "import_zones", filters=filters),
        lambda: None if limit is None else _cause_numbers(engine, filters, as_of),
    )
    return reconcile_counted(counts, disagreeing, policy,
                             zones=_zones(zones, implied["time_zone"], policy),
                             every=numbers)  # fmt: skip


@dataclass(frozen=True)
class CauseInputs:
    """What the hypotheses (_causes) test of each disagreeing case, column by column."""

    wanted_met: np.ndarray  # bool: the helpdesk's verdict is met
    stated: np.ndarray  # bool: the helpdesk states it (not made from its figure)
    target: np.ndarray  # int64 seconds
    start: np.ndarray  # float64 UTC seconds: created
    end: np.ndarray  # float64 UTC seconds: the first response; NaN when none
    helpdesk_seconds: np.ndarray  # float64: its own time (business first); NaN when none
    resolution: np.ndarray  # float64 business seconds to resolution; NaN when none
    response: np.ndarray  # float64 business seconds to the first response; NaN when none

    @classmethod
    def of_rows(cls, rows: pd.DataFrame) -> CauseInputs:
        """From disagreeing rows with their helpdesk verdicts (_with_helpdesk_verdicts)."""
        return cls(
            wanted_met=(rows["helpdesk"] == "met").to_numpy(),
            stated=(rows["basis"] == STATED).to_numpy(),
            target=rows["target_seconds"].to_numpy(np.int64),
            start=_seconds(rows["created_at"]),
            end=_seconds(rows["first_response_at"]),
            helpdesk_seconds=rows["helpdesk_seconds"].to_numpy(np.float64),
            resolution=rows["resolution_business_seconds"].to_numpy(np.float64),
            response=rows["response_business_seconds"].to_numpy(np.float64),
        )

    @classmethod
    def of_numbers(cls, numbers: pd.DataFrame) -> CauseInputs:
        """From the rows of reconcile_causes.sql."""

        def floats(column: str) -> np.ndarray:
            return pd.to_numeric(numbers[column]).to_numpy(np.float64, na_value=np.nan)

        return cls(
            wanted_met=numbers["helpdesk_met"].to_numpy(np.int64) == 1,
            stated=numbers["stated"].to_numpy(np.int64) == 1,
            target=numbers["target_seconds"].to_numpy(np.int64),
            start=floats("created_epoch"),
            end=floats("first_response_epoch"),
            helpdesk_seconds=floats("helpdesk_seconds"),
            resolution=floats("resolution_business_seconds"),
            response=floats("response_business_seconds"),
        )


def _cause_numbers(engine: Engine, filters: Filters, as_of: dt.datetime) -> CauseInputs:
    return CauseInputs.of_numbers(
        queries.run(engine, "reconcile_causes", filters=filters, as_of=as_of)
    )


def _zones(given: tuple[str, ...], implied: pd.Series, policy: Policy) -> tuple[str, ...]:
    """The zones to try, each once, never the policy's own."""
    named = [*given, *sorted(z for z in implied.dropna() if z)]
    return tuple(dict.fromkeys(z for z in named if z != policy.calendar.timezone))


def reconcile_rows(
    rows: pd.DataFrame, policy: Policy, *, zones: tuple[str, ...] = ()
) -> Reconciliation:
    """The matrix and causes of rows of queries/reconcile_cases.sql (pure: no database),
    counted as reconcile_counts.sql counts them, with the helpdesk's verdicts derived here."""
    judged = _with_helpdesk_verdicts(rows)
    ours, theirs = judged["response_status"], judged["helpdesk"]
    counts = (
        judged.assign(
            helpdesk_verdict=theirs,
            helpdesk_basis=judged["basis"],
            dismissed=judged["dismissal_reason"].notna().astype(int),
        )
        .groupby(list(_COUNTED_BY), dropna=False, sort=False)
        .size()
        .rename("cases")
        .reset_index()
    )
    compared = ours.isin(VERDICTS) & theirs.isin(VERDICTS) & judged["dismissal_reason"].isna()
    return reconcile_counted(counts, rows[compared & (ours != theirs)], policy, zones=zones)


# The columns reconcile_counts.sql groups by.
_COUNTED_BY = ("severity", "source", "response_status", "helpdesk_verdict", "helpdesk_basis",
               "dismissed", "response_recorded")  # fmt: skip


def reconcile_counted(
    counts: pd.DataFrame,
    disagreeing: pd.DataFrame,
    policy: Policy,
    *,
    zones: tuple[str, ...] = (),
    every: CauseInputs | None = None,
) -> Reconciliation:
    """reconcile_rows' figures from the cases counted per verdict pair (reconcile_counts.sql)
    and the disagreeing cases alone (reconcile_disagreements.sql); the disagreements numbered
    from 0 (reconcile_rows keeps each case's row number among all the period's). `every`:
    each disagreement's inputs, when `disagreeing` holds only the first of them: the causes
    are counted from those."""
    cases = counts["cases"].to_numpy(dtype=np.int64)
    ours, theirs = counts["response_status"], counts["helpdesk_verdict"]
    dismissed = counts["dismissed"].to_numpy(dtype=np.int64) != 0
    recorded = counts["response_recorded"].astype(bool).to_numpy()
    judged = ours.isin(VERDICTS).to_numpy() & ~dismissed
    vendor = theirs.isin(VERDICTS).to_numpy()
    compared = counts[judged & vendor].rename(columns={"helpdesk_verdict": "helpdesk"})
    not_compared = {
        "pending": int(cases[ours.isna().to_numpy() & recorded & ~dismissed].sum()),
        "invalid": int(cases[(ours == "invalid").to_numpy() & ~dismissed].sum()),
        "unscored": int(cases[~recorded & ~dismissed].sum()),
        "dismissed": int(cases[dismissed].sum()),
    }
    severities = tuple(_agreement_counted(compared[compared["severity"] == s.level], s.level)
                       for s in policy.severities)  # fmt: skip
    sources = tuple(_agreement_counted(group, None, source=str(name))
                    for name, group in compared.groupby("source", sort=True))  # fmt: skip
    disagree = _with_helpdesk_verdicts(disagreeing).reset_index(drop=True)
    disagree = disagree.assign(**_causes(CauseInputs.of_rows(disagree), policy, zones))
    if every is None:
        named, disagreeing_cases = disagree["cause"].to_numpy(), len(disagree)
    else:
        named, disagreeing_cases = _causes(every, policy, zones)["cause"], len(every.target)
    return Reconciliation(
        severities=severities,
        sources=sources,
        totals=_agreement_counted(compared, None),
        causes={c: int((named == c).sum()) for c in CAUSES},
        no_vendor_verdict=int(cases[judged & ~vendor].sum()),
        not_compared=not_compared,
        from_figures=int(
            compared.loc[compared["helpdesk_basis"] == BUSINESS_FIGURE, "cases"].sum()
        ),
        zones=zones,
        disagreeing=disagreeing_cases,
        disagreements=disagree,
    )


def _agreement_counted(
    counts: pd.DataFrame, level: int | None, *, source: str | None = None
) -> Agreement:
    """_agreement of counted verdict pairs (a `cases` column)."""
    ours, theirs = counts["response_status"], counts["helpdesk"]
    cases = counts["cases"].to_numpy(dtype=np.int64)
    return Agreement(
        level=level,
        source=source,
        compared=int(cases.sum()),
        both_met=int(cases[((ours == "met") & (theirs == "met")).to_numpy()].sum()),
        both_breached=int(cases[((ours == "breached") & (theirs == "breached")).to_numpy()].sum()),
        we_met_they_breached=int(
            cases[((ours == "met") & (theirs == "breached")).to_numpy()].sum()
        ),
        we_breached_they_met=int(
            cases[((ours == "breached") & (theirs == "met")).to_numpy()].sum()
        ),
    )


def helpdesk_verdicts(
    vendor_sla: pd.Series, business_seconds: pd.Series, target_seconds: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Each case's helpdesk verdict (None when it gives none) and its basis (BASES, or ''):
    helpdesk_verdict_codes' codes as their labels."""
    verdict, basis = helpdesk_verdict_codes(vendor_sla, business_seconds, target_seconds)
    return VERDICT_LABELS[verdict], BASIS_LABELS.astype(str)[basis]


# helpdesk_verdict_codes' codes are positions in these
VERDICT_LABELS = np.array([None, *VERDICTS], dtype=object)
BASIS_LABELS = np.array(["", STATED, BUSINESS_FIGURE], dtype=object)
_BASIS_CODES = {label: code for code, label in enumerate(BASIS_LABELS.tolist())}


def helpdesk_verdict_codes(
    vendor_sla: pd.Series, business_seconds: pd.Series, target_seconds: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Each case's helpdesk verdict and its basis, as codes into VERDICT_LABELS and
    BASIS_LABELS: the verdict it states, else its business-time figure against our target.
    The SQL says the same in queries/_helpdesk_verdict.sql and _helpdesk_basis.sql.

    Codes (one byte a case), not text: a first import judges every case it stores
    (dashboard/summaries_from_memory.py), and arrays of words for a million cases raised
    that import's peak by about 120 MB (issue 16)."""
    verdict = np.zeros(len(vendor_sla), dtype=np.int8)
    for code, label in enumerate(VERDICTS, start=1):
        verdict[vendor_sla.isin([label]).to_numpy()] = code
    stated = verdict > 0
    business = business_seconds.to_numpy(np.float64)
    target = target_seconds.to_numpy(np.float64)
    usable = ~stated & ~np.isnan(business) & ~np.isnan(target)
    met, breached = (VERDICTS.index(label) + 1 for label in ("met", "breached"))
    verdict[usable] = np.where(business[usable] <= target[usable], met, breached)
    basis = np.zeros(len(verdict), dtype=np.int8)
    basis[stated] = _BASIS_CODES[STATED]
    basis[usable] = _BASIS_CODES[BUSINESS_FIGURE]
    return verdict, basis


def _with_helpdesk_verdicts(rows: pd.DataFrame) -> pd.DataFrame:
    """`helpdesk`: the helpdesk's verdict, stated or, where it states none, its business-time
    figure against the target; `basis`: which (BASES); `helpdesk_seconds`: its figure (the
    business one first) and `helpdesk_time_kind`: 'business' or 'wall clock'."""
    nan = pd.Series(np.nan, index=rows.index)
    business = rows.get("vendor_response_business_minutes", nan).astype(np.float64) * 60
    calendar = rows.get("vendor_response_minutes", nan).astype(np.float64) * 60
    helpdesk, basis = helpdesk_verdicts(rows["vendor_sla"], business, rows["target_seconds"])
    return rows.assign(
        helpdesk=helpdesk,
        basis=basis,
        helpdesk_seconds=business.where(business.notna(), calendar),
        helpdesk_time_kind=np.where(
            business.notna(), "business", np.where(calendar.notna(), "wall clock", "")
        ),
    )


def _causes(rows: CauseInputs, policy: Policy, zones: tuple[str, ...]) -> dict[str, np.ndarray]:
    """For each case, the first hypothesis under which its verdict becomes the helpdesk's
    (`cause`), the time that hypothesis counts and the target it holds it to
    (`cause_seconds`, `cause_target_seconds`; NaN when unexplained), and what it tried
    (`cause_detail`: the zone, the other severity)."""
    n = len(rows.target)
    cause = np.full(n, "unexplained", dtype=object)
    detail = np.full(n, "", dtype=object)
    counted = np.full(n, np.nan)
    held_to = np.full(n, np.nan)
    found = {"cause": cause, "cause_seconds": counted, "cause_target_seconds": held_to,
             "cause_detail": detail}  # fmt: skip
    if not n:
        return found
    wanted_met = rows.wanted_met
    # A verdict made from the helpdesk's figure is its clock against our target: only the
    # hypotheses about counting time (and the deadline's minutes) can explain it.
    stated = rows.stated
    target = rows.target
    start = rows.start
    end = rows.end
    answered = ~np.isnan(end)
    # an unanswered case is timed to nothing here: no hypothesis about clocks applies to it
    end_or_start = np.where(answered, end, start).astype(np.int64)
    spec = policy.calendar
    no_holidays = dataclasses.replace(spec, holidays=None, closures=())
    always = dataclasses.replace(spec, open_seconds=0, close_seconds=86_400)
    tests: list[tuple[str, str, np.ndarray, np.ndarray]] = [
        ("no_holidays", "", _business(no_holidays, start, end_or_start, answered), answered),
        ("always_open", "", _business(always, start, end_or_start, answered), answered),
        ("calendar_hours", "", np.where(answered, end_or_start - start, np.nan), answered),
    ]
    for zone in zones:
        other = dataclasses.replace(spec, timezone=zone)
        tests.append(("time_zone", zone, _business(other, start, end_or_start, answered),
                      answered))  # fmt: skip
    tests.append(("helpdesk_clock", "", rows.helpdesk_seconds, stated))
    tests.append(("resolution_time", "", rows.resolution, stated))
    taken = np.zeros(n, dtype=bool)

    def name(agrees: np.ndarray, what: str, said: str, elapsed, against) -> None:
        cause[agrees], detail[agrees] = what, said
        counted[agrees] = np.broadcast_to(elapsed, n)[agrees]
        held_to[agrees] = np.broadcast_to(against, n)[agrees]
        taken[:] |= agrees

    for what, said, elapsed, applies in tests:
        agrees = applies & ~np.isnan(elapsed) & ((elapsed <= target) == wanted_met) & ~taken
        name(agrees, what, said, elapsed, target)
    response = rows.response
    for severity in sorted(policy.severities, key=lambda s: s.response_seconds):
        seconds = severity.response_seconds
        agrees = (stated & ~np.isnan(response) & (target != seconds)
                  & ((response <= seconds) == wanted_met) & ~taken)  # fmt: skip
        name(agrees, "other_severity", f"level {severity.level}", response, seconds)
    near = ~np.isnan(response) & (np.abs(response - target) <= NEAR_DEADLINE_SECONDS) & ~taken
    name(near, "near_deadline", "", response, target)
    return found


def _business(spec, start: np.ndarray, end: np.ndarray, answered: np.ndarray) -> np.ndarray:
    calendar = BusinessCalendar.covering(spec, start, end)
    return np.where(answered, calendar.between(start, end).astype(np.float64), np.nan)


def _seconds(values: pd.Series) -> np.ndarray:
    """Aware instants as float UTC seconds (NaN where missing)."""
    stamps = pd.to_datetime(values, utc=True)
    seconds = (stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return np.asarray(seconds, dtype=np.float64)
