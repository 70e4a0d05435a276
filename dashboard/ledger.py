"""Explain one case: the business-time ledger from creation to first response (or to "as of").

Each stretch of time is either counted (inside a working day's opening hours) or skipped,
with the reason by name: before opening, after closing, a weekend, a public holiday (from the
holiday list, e.g. "Boxing Day (observed)") or a company closure. Consecutive skipped
stretches are merged, so a Friday-evening-to-Monday gap reads as one line. The counted total
equals the engine's business time exactly (tests/test_ledger.py holds them together).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dashboard.business_hours import BusinessCalendar, first_instant_showing
from dashboard.readable import duration, time_of_day, when


@dataclass
class Stretch:
    kind: str  # "counted" or "skipped"
    start: int  # UTC seconds
    end: int
    reasons: list[str] = field(default_factory=list)  # why skipped, in order, each once

    @property
    def seconds(self) -> int:
        return self.end - self.start


def ledger(calendar: BusinessCalendar, start: int, end: int) -> list[Stretch]:
    """The stretches of [start, end): counted ones add up to the business time between."""
    if end <= start:
        return []
    spec = calendar.spec
    zone = ZoneInfo(spec.timezone)
    day = dt.datetime.fromtimestamp(start, zone).date()
    last = dt.datetime.fromtimestamp(end, zone).date()
    stretches: list[Stretch] = []
    while day <= last:
        day_start = _local(day, 0, zone)
        day_end = _local(day + dt.timedelta(days=1), 0, zone)
        reason = _closed_reason(calendar, day)
        if reason:
            _add(stretches, "skipped", day_start, day_end, reason, start, end)
        else:
            opens = _local(day, spec.open_seconds, zone)
            closes = _local(day, spec.close_seconds, zone)
            _add(stretches, "skipped", day_start, opens, "night", start, end)
            _add(stretches, "counted", opens, closes, "", start, end)
            _add(stretches, "skipped", closes, day_end, "night", start, end)
        day += dt.timedelta(days=1)
    return stretches


def counted_seconds(stretches: list[Stretch]) -> int:
    return sum(s.seconds for s in stretches if s.kind == "counted")


def describe(stretch: Stretch, zone: ZoneInfo) -> str:
    """One line: 'counted  Fri 06 Mar 2026 17:30 - 18:00   30m' (skipped: with its reasons)."""
    start = dt.datetime.fromtimestamp(stretch.start, zone)
    end = dt.datetime.fromtimestamp(stretch.end, zone)
    until = time_of_day(end) if start.date() == end.date() else when(end)
    why = f"  ({', '.join(stretch.reasons)})" if stretch.reasons else ""
    span = f"{when(start)} - {until}"
    return f"{stretch.kind:<9} {span:<51} {duration(stretch.seconds):>11}{why}"


def _closed_reason(calendar: BusinessCalendar, day: dt.date) -> str:
    named = calendar.closed_days.get(day)
    if day.weekday() not in calendar.spec.workdays:
        return "weekend" if not named else f"weekend, {named}"
    return named or ""


def _add(stretches: list[Stretch], kind: str, a: int, b: int, reason: str, lo: int, hi: int):
    a, b = max(a, lo), min(b, hi)
    if b <= a:
        return
    last = stretches[-1] if stretches else None
    if last is not None and last.kind == kind == "skipped" and last.end == a:
        last.end = b
        if reason and reason not in last.reasons:
            last.reasons.append(reason)
        return
    stretches.append(Stretch(kind, a, b, [reason] if reason else []))


def _local(day: dt.date, seconds: int, zone: ZoneInfo) -> int:
    day = day + dt.timedelta(days=seconds // 86400)
    rest = seconds % 86400
    wall = dt.datetime(day.year, day.month, day.day, rest // 3600, rest % 3600 // 60, rest % 60)
    return first_instant_showing(wall, zone)
