"""A slow, obviously-correct business-time reference: walk the local days one by one.

It shares no code with dashboard/business_hours.py: days come from the datetime module, holidays
from the holidays package directly, and window ends from zoneinfo via aware datetimes. It is
only valid for calendars whose open and close times exist exactly once on every day (true for
London, New York, Sydney at 09:00-18:00, and for 00:00-24:00 windows).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from dashboard.policy import CalendarSpec

UTC = dt.UTC
DAY = dt.timedelta(days=1)


@lru_cache(maxsize=64)
def _closed(spec: CalendarSpec, year: int) -> frozenset[dt.date]:
    days = {c.day for c in spec.closures}
    if spec.holidays:
        days |= set(
            holidays.country_holidays(
                spec.holidays.country, subdiv=spec.holidays.subdivision, years=[year]
            )
        )
    return frozenset(days)


def is_working_day(spec: CalendarSpec, day: dt.date) -> bool:
    # Observed days can sit in a neighbouring year's list (US New Year observed on 31 Dec).
    closed = _closed(spec, day.year - 1) | _closed(spec, day.year) | _closed(spec, day.year + 1)
    return day.weekday() in spec.workdays and day not in closed


def window(spec: CalendarSpec, day: dt.date) -> tuple[int, int]:
    """The UTC seconds of a day's local opening and closing."""
    zone = ZoneInfo(spec.timezone)

    def at(seconds: int) -> int:
        base = dt.datetime.combine(day + DAY * (seconds // 86400), dt.time(), tzinfo=zone)
        hms = seconds % 86400
        local = base.replace(hour=hms // 3600, minute=hms % 3600 // 60, second=hms % 60)
        return int(local.timestamp())

    return at(spec.open_seconds), at(spec.close_seconds)


def business_seconds(spec: CalendarSpec, start: int, end: int) -> int:
    if end < start:
        return -business_seconds(spec, end, start)
    zone = ZoneInfo(spec.timezone)
    day = dt.datetime.fromtimestamp(start, zone).date() - DAY
    last = dt.datetime.fromtimestamp(end, zone).date()
    total = 0
    while day <= last:
        if is_working_day(spec, day):
            opens, closes = window(spec, day)
            total += max(0, min(end, closes) - max(start, opens))
        day += DAY
    return total


def deadline(spec: CalendarSpec, start: int, seconds: int) -> int:
    zone = ZoneInfo(spec.timezone)
    day = dt.datetime.fromtimestamp(start, zone).date() - DAY
    left = seconds
    while True:
        if is_working_day(spec, day):
            opens, closes = window(spec, day)
            begin = max(start, opens)
            available = max(0, closes - begin)
            if available >= left:
                return begin + left
            left -= available
        day += DAY
