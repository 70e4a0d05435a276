"""Why a case met or breached: its business-time ledger and verdict, for the CLI and the app.

Everything is recomputed from the stored instants under the policy given, so the answer is
the policy's, stretch by stretch (tests/test_ledger.py holds the stretches to the engine).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import queries
from dashboard.business_hours import BusinessCalendar
from dashboard.errors import DashboardError
from dashboard.event_store import events_from_rows, rederive
from dashboard.ledger import Stretch, counted_seconds, describe, ledger
from dashboard.policy import Policy
from dashboard.queries import Filters
from dashboard.readable import duration, instant
from dashboard.timestamps import format_instants


def find_case(
    engine: Engine,
    case_id: str,
    *,
    source: str | None = None,
    hint: str = "",
    scope: tuple[str, ...] | None = None,
) -> pd.Series:
    """The stored case (a row of case_detail.sql); refused when absent or ambiguous. With a
    scope (access.Person.scope), a case of another customer is as absent as one never stored."""
    rows = queries.run(engine, "case_detail", filters=Filters(scope=scope), case_id=case_id,
                       all_case_sources=source is None, one_source=source or "")  # fmt: skip
    if rows.empty:
        raise DashboardError(
            f"no case {case_id!r}" + (f" from source {source!r}" if source else "")
        )
    if len(rows) > 1:
        sources = ", ".join(rows["source"])
        raise DashboardError(
            f"case {case_id!r} exists in several sources ({sources})"
            + (f"; {hint}" if hint else "")
        )
    return rows.iloc[0]


@dataclass(frozen=True)
class CaseExplanation:
    """One case's verdict and the ledger behind it; instants are UTC seconds."""

    case_id: str
    source: str
    severity: int
    target_seconds: int
    created_at: int
    first_response_at: int | None  # None: unanswered
    business_seconds: int  # counted to the first response, or to as_of
    deadline: int
    status: str  # met, breached, pending, invalid or unscored
    stretches: tuple[Stretch, ...]
    lines: tuple[str, ...]  # the whole ledger as text, as `sla-dashboard explain --full` prints it
    # The same, shortened as `sla-dashboard explain` prints it: the counted stretches (a long
    # wait's first and last days), then what was skipped in one line; a few dozen lines at most.
    summary: tuple[str, ...] = ()
    # An event log's case: its history (changes only) and its resolution time.
    events: tuple[HistoryLine, ...] = ()
    resolution_seconds: int | None = None
    paused_seconds: int | None = None

    @property
    def deadline_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.deadline, dt.UTC)

    def as_json(self) -> dict:
        """The `explain --json` object."""
        return {
            "case_id": self.case_id,
            "source": self.source,
            "severity": self.severity,
            "target_seconds": self.target_seconds,
            "created_at": _iso(self.created_at),
            "first_response_at": None
            if self.first_response_at is None
            else _iso(self.first_response_at),
            "business_seconds": self.business_seconds,
            "deadline": _iso(self.deadline),
            "status": self.status,
            "stretches": [
                {
                    "kind": s.kind,
                    "start": _iso(s.start),
                    "end": _iso(s.end),
                    "seconds": s.seconds,
                    "reasons": list(s.reasons),
                }
                for s in self.stretches
            ],
            "events": [
                {"at": _iso(e.at), "status": e.status, "severity": e.severity, "note": e.note}
                for e in self.events
            ],
            "resolution_seconds": self.resolution_seconds,
            "paused_seconds": self.paused_seconds,
            "lines": list(self.lines),
            "summary": list(self.summary),
        }


@dataclass(frozen=True)
class HistoryLine:
    """One event of a case's history that changed something, as the ledger shows it."""

    at: int  # UTC seconds
    status: str
    severity: int | None
    note: str  # what changed, in words

    def text(self, zone: ZoneInfo) -> str:
        return f"{'event':<9} {instant(self.at, zone)}  {self.note}"


def case_history(
    engine: Engine, case, *, scope: tuple[str, ...] | None = None
) -> pd.DataFrame | None:
    """The stored events of a case from an event log (None for one row per case)."""
    if _missing(case.get("event_count")):
        return None
    rows = queries.run(engine, "case_events", filters=Filters(scope=scope),
                       source=str(case["source"]), case_id=str(case["case_id"]))  # fmt: skip
    return events_from_rows(rows)


def explain_case(
    case, policy: Policy, as_of: int, events: pd.DataFrame | None = None
) -> CaseExplanation:
    """The ledger and verdict of one stored case (a row of case_detail.sql); with its stored
    events (case_history), derived again from them under this policy, history in line."""
    zone = ZoneInfo(policy.calendar.timezone)
    history = _History.of(events, policy) if events is not None and len(events) else None
    level = history.level if history else int(case["severity"])
    if level not in policy.levels:
        raise DashboardError(f"{policy.source}: the policy has no level {level}")
    severity = policy.severity(level)
    target = history.target if history else severity.response_seconds
    created = history.created if history else _instant(case["created_at"])
    if history:
        answered = history.responded is not None
        responded = history.responded
    else:
        answered = not _missing(case["first_response_at"])
        responded = _instant(case["first_response_at"]) if answered else None
    unscored = not bool(case["response_recorded"])
    # No verdict to explain, no ledger: an unscored case walked years up to --as-of (issue 15).
    end = created if unscored else responded if answered else as_of
    instants = [created] if unscored else [created, end, as_of]
    calendar = BusinessCalendar.covering(policy.calendar, np.array(instants, dtype=np.int64))
    deadline = int(calendar.deadline(created, target))
    stretches = ledger(calendar, created, end)
    spent = counted_seconds(stretches)

    def local(seconds: int) -> str:
        return instant(seconds, zone)

    rule = ""
    if history and history.rule_note:
        rule = f"; {history.rule_note}"
    entries: list[_Entry] = [_Entry(s.start, describe(s, zone), s) for s in stretches]
    if history:  # each change in line with the stretches, where it happened
        entries += [_Entry(e.at, e.text(zone)) for e in history.lines if e.at <= end]
        entries.sort(key=lambda entry: entry.at)
    head = [
        f"{case['case_id']} ({case['source']}): {case['customer'] or 'no customer'}, level "
        f"{level} {severity.name}, target {duration(target)} business hours "
        f"({policy.calendar.timezone}){rule}",
        f"{'created':<9} {local(created)}",
    ]
    if unscored:
        status = "unscored"
        verdict = f"the export records no first responses: no verdict (deadline {local(deadline)})"
    elif answered and responded < created:
        status = "invalid"
        verdict = f"{'answered':<9} {local(responded)}, before it was created: invalid"
    elif answered:
        status = "met" if spent <= target else "breached"
        over = f", {duration(spent - target)} over" if spent > target else ""
        verdict = (
            f"{'answered':<9} {local(responded)}: {duration(spent)} business hours{over} -> "
            f"{status} (deadline {local(deadline)})"
        )
    elif as_of < created:  # judged before it existed: none of its target is spent yet
        status = "pending"
        verdict = (
            f"{'as of':<9} {local(as_of)}: not created yet, {duration(target)} left -> "
            f"{status} (deadline {local(deadline)})"
        )
    else:
        status = "pending" if spent <= target else "breached"
        balance = (
            f"{duration(target - spent)} left"
            if spent <= target
            else f"{duration(spent - target)} over"
        )
        verdict = (
            f"{'as of':<9} {local(as_of)}: unanswered, {duration(spent)} business hours so "
            f"far, {balance} -> {status} (deadline {local(deadline)})"
        )
    later = [e.text(zone) for e in history.lines if e.at > end] if history else []
    tail = [history.resolution_line(zone)] if history else []
    lines = [*head, *(entry.text for entry in entries), verdict, *later, *tail]
    summary = [
        *head,
        *_shortened(entries, zone),
        *_skipped_line(stretches, calendar),
        verdict,
        *_shortened_changes(later),
        *tail,
    ]
    return CaseExplanation(
        case_id=str(case["case_id"]),
        source=str(case["source"]),
        severity=level,
        target_seconds=target,
        created_at=created,
        first_response_at=responded if answered else None,
        business_seconds=spent,
        deadline=deadline,
        status=status,
        stretches=tuple(stretches),
        lines=tuple(lines),
        summary=tuple(summary),
        events=history.lines if history else (),
        resolution_seconds=history.resolution if history else None,
        paused_seconds=history.paused if history else None,
    )


# How long `explain` (without --full) lets a ledger grow: a wait with more counted stretches
# and changes than SUMMARY_LINES shows its first and last SUMMARY_KEEP of them and one line
# for those between, so a year-old case reads in a screen (issue 15: at most ~40 lines).
SUMMARY_LINES = 24
SUMMARY_KEEP = 10


@dataclass(frozen=True)
class _Entry:
    """One line of the ledger between creation and the verdict: a stretch or a change."""

    at: int
    text: str
    stretch: Stretch | None = None  # None: a change of an event log's case


def _shortened(entries: list[_Entry], zone: ZoneInfo) -> list[str]:
    """The counted stretches and the changes (skipped stretches are summed up apart); when
    there are too many, the first and last few and one line for the rest."""
    kept = [e for e in entries if e.stretch is None or e.stretch.kind == "counted"]
    if len(kept) <= SUMMARY_LINES:
        return [e.text for e in kept]
    first, between, last = (
        kept[:SUMMARY_KEEP],
        kept[SUMMARY_KEEP:-SUMMARY_KEEP],
        kept[-SUMMARY_KEEP:],
    )
    counted = [e.stretch for e in between if e.stretch is not None]
    changes = len(between) - len(counted)
    what = [f"{len(counted)} more working day(s)"] if counted else []
    what += [f"{changes} change(s)"] if changes else []
    span = f"{instant(between[0].at, zone)} - {instant(_end(between[-1]), zone)}"
    seconds = sum(s.seconds for s in counted)
    line = (
        f"{'counted':<9} {span:<51} {duration(seconds):>11}  ({', '.join(what)}; --full shows each)"
    )
    return [*(e.text for e in first), line, *(e.text for e in last)]


def _end(entry: _Entry) -> int:
    return entry.stretch.end if entry.stretch is not None else entry.at


def _shortened_changes(lines: list[str]) -> list[str]:
    """The changes after the first response, the first and last few when there are many."""
    keep = SUMMARY_KEEP // 2
    if len(lines) <= 2 * keep + 1:
        return lines
    return [*lines[:keep], f"{'event':<9} ... {len(lines) - 2 * keep} more change(s) "
            "(--full shows each)", *lines[-keep:]]  # fmt: skip


def _skipped_line(stretches: list[Stretch], calendar: BusinessCalendar) -> list[str]:
    """What was not counted, in one line: 'skipped   23 nights, 9 weekends, Good Friday,
    Easter Monday   615h 00m'. A night is an evening-to-morning stretch between two working
    days; a weekend, each run of non-working weekdays (two in a closure spanning two); a
    holiday or closure is named each day it was skipped (x2 when twice)."""
    skipped = [s for s in stretches if s.kind == "skipped"]
    if not skipped:
        return []
    zone = ZoneInfo(calendar.spec.timezone)
    nights = weekends = 0
    named: dict[str, int] = {}
    for stretch in skipped:
        if stretch.reasons == ["night"]:
            nights += 1
            continue
        day = dt.datetime.fromtimestamp(stretch.start, zone).date()
        last = dt.datetime.fromtimestamp(stretch.end - 1, zone).date()
        in_weekend = False
        while day <= last:
            off = day.weekday() not in calendar.spec.workdays
            weekends += off and not in_weekend
            in_weekend = off
            if day in calendar.closed_days:
                name = calendar.closed_days[day]
                named[name] = named.get(name, 0) + 1
            day += dt.timedelta(days=1)
    words = [f"{nights} night{'s' * (nights != 1)}"] if nights else []
    words += [f"{weekends} weekend{'s' * (weekends != 1)}"] if weekends else []
    words += [name if n == 1 else f"{name} x{n}" for name, n in named.items()]
    total = sum(s.seconds for s in skipped)
    return [f"{'skipped':<9} {', '.join(words):<51} {duration(total):>11}"]


@dataclass(frozen=True)
class _History:
    """A case derived again from its events under the policy, with the changes to show."""

    level: int
    target: int
    created: int
    responded: int | None
    resolved: int | None
    resolution: int | None
    paused: int | None
    lines: tuple[HistoryLine, ...]
    rule_note: str

    @classmethod
    def of(cls, events: pd.DataFrame, policy: Policy) -> _History:
        # Derived and scored as recompute would: this policy's severity rule, target, pauses.
        validated, figures = rederive(events, policy, None)
        cases = validated.cases
        if figures is None or figures.resolution is None:
            raise DashboardError("the case's stored events give no case")
        t = cases.timelines
        resolved = int(cases.resolved_at[0]) if cases.has_resolved_at[0] else None
        created = int(cases.created_at[0])
        timed = bool(figures.resolution.has_time[0])
        resolution = int(figures.resolution.seconds[0]) if timed else None
        paused = int(figures.resolution.paused[0])
        targets, levels = figures.target_seconds, cases.frame["severity"].to_numpy()
        responded = int(cases.first_response_at[0]) if cases.has_first_response_at[0] else None
        pauses = {s.lower() for s in policy.pause_statuses}
        lines = []
        previous_status, previous_level, was_paused = "", 0, False
        first_response = int(np.argmax(t.responds)) if t.responds.any() else -1
        for i in range(len(t.at)):
            status, level_i = str(t.status[i]), int(t.level[i])
            paused_now = bool(t.activity_paused[i]) or status.lower() in pauses
            said = []
            if status != previous_status:
                said.append(f"status {status or '(none)'}")
            if level_i and level_i != previous_level:
                said.append(f"severity {t.label[i] or level_i}")
            if paused_now != was_paused:
                said.append("resolution clock paused" if paused_now else "resolution clock runs")
            if t.reopens[i]:
                said.append("reopened")
            if i == first_response:
                said.append("first response")
            if said:
                lines.append(HistoryLine(int(t.at[i]), status, level_i or None, ", ".join(said)))
            previous_status, previous_level, was_paused = status, level_i, paused_now
        severities = {int(v) for v in t.level if v}
        note = ""
        if len(severities) > 1:
            note = f"severity rule {policy.severity_rule} (docs/event-logs.md)"
        return cls(
            level=int(levels[0]),
            target=int(targets[0]),
            created=created,
            responded=responded,
            resolved=resolved,
            resolution=resolution,
            paused=paused if resolved is not None else None,
            lines=tuple(lines),
            rule_note=note,
        )

    def resolution_line(self, zone: ZoneInfo) -> str:
        if self.resolved is None:
            return f"{'open':<9} not resolved: no resolution time yet"
        if self.resolution is None:
            return f"{'resolved':<9} {instant(self.resolved, zone)}, before it was created"
        paused = f", {duration(self.paused)} paused" if self.paused else ""
        return (
            f"{'resolved':<9} {instant(self.resolved, zone)}: resolution time "
            f"{duration(self.resolution)} business hours{paused}"
        )


def _missing(value) -> bool:
    return value is None or value is pd.NaT or value != value


def _instant(value) -> int:
    return int(pd.Timestamp(value).timestamp())


def _iso(seconds: int) -> str:
    return format_instants([seconds])[0]
