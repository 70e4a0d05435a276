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
                       all_sources=source is None, source=source or "")  # fmt: skip
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
    lines: tuple[str, ...]  # the ledger as text, as `sla-dashboard explain` prints it
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
    end = responded if answered else as_of
    calendar = BusinessCalendar.covering(
        policy.calendar, np.array([created, end, as_of], dtype=np.int64)
    )
    deadline = int(calendar.deadline(created, target))
    stretches = ledger(calendar, created, end)
    spent = counted_seconds(stretches)

    def local(seconds: int) -> str:
        return instant(seconds, zone)

    rule = ""
    if history and history.rule_note:
        rule = f"; {history.rule_note}"
    ledger_lines = [(s.start, describe(s, zone)) for s in stretches]
    if history:  # each change in line with the stretches, where it happened
        ledger_lines += [(e.at, e.text(zone)) for e in history.lines if e.at <= end]
        ledger_lines.sort(key=lambda item: item[0])
    lines = [
        f"{case['case_id']} ({case['source']}): {case['customer'] or 'no customer'}, level "
        f"{level} {severity.name}, target {duration(target)} business hours "
        f"({policy.calendar.timezone}){rule}",
        f"{'created':<9} {local(created)}",
        *(text for _, text in ledger_lines),
    ]
    if not bool(case["response_recorded"]):
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
    lines.append(verdict)
    if history:
        lines += [e.text(zone) for e in history.lines if e.at > end]
        lines.append(history.resolution_line(zone))
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
        events=history.lines if history else (),
        resolution_seconds=history.resolution if history else None,
        paused_seconds=history.paused if history else None,
    )


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
