"""Shared test vocabulary: local wall times -> UTC seconds, hours written as H:MM:SS; a spy
on the text arrays numpy makes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from dashboard.policy import CalendarSpec, Closure, HolidaySource, parse_policy

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def at(local: str, zone: ZoneInfo = LONDON) -> int:
    """'2026-03-02 09:00[:SS]' local wall time (must exist once) -> UTC seconds."""
    wall = dt.datetime.fromisoformat(local)
    aware = wall.replace(tzinfo=zone)
    assert aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall, local
    return int(aware.timestamp())


def utc(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hms(text: str) -> int:
    """'2:05:00' or '2:05' -> seconds."""
    parts = [int(p) for p in text.split(":")]
    parts += [0] * (3 - len(parts))
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def london_spec() -> CalendarSpec:
    return CalendarSpec(
        timezone="Europe/London",
        workdays=(0, 1, 2, 3, 4),
        open_seconds=9 * 3600,
        close_seconds=18 * 3600,
        holidays=HolidaySource("GB", "ENG"),
    )


def new_york_spec() -> CalendarSpec:
    """The second calendar: nothing may be hard-wired to London."""
    return CalendarSpec(
        timezone="America/New_York",
        workdays=(0, 1, 2, 3, 4),
        open_seconds=8 * 3600,
        close_seconds=17 * 3600,
        holidays=HolidaySource("US", "NY"),
        closures=(Closure(dt.date(2026, 11, 27), "Day after Thanksgiving"),),
    )


def policy_dict(**calendar_overrides) -> dict:
    """The vendor's policy as a TOML-shaped dict, for tests to break one key at a time."""
    calendar = {
        "timezone": "Europe/London",
        "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
        "open": "09:00",
        "close": "18:00",
        "holidays": {"country": "GB", "subdivision": "ENG"},
        "closures": [],
    }
    calendar.update(calendar_overrides)
    return {
        "calendar": calendar,
        "severity": [
            {"level": 1, "name": "Urgent", "response_hours": 4, "impact": "Full outage"},
            {"level": 2, "name": "High", "response_hours": 8, "impact": "Partial outage"},
            {"level": 3, "name": "Medium", "response_hours": 12, "impact": "Degraded"},
            {"level": 4, "name": "Low", "response_hours": 24, "impact": "Inquiries"},
        ],
    }


def vendor_policy():
    return parse_policy(policy_dict(), source="test-policy.toml")


def planner_statistics_fresh(engine) -> bool:
    """After refresh_statistics: SQLite has sqlite_stat1 rows for cases; PostgreSQL's VACUUM
    has marked pages of cases all-visible (ANALYZE alone does not)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            visible = connection.exec_driver_sql(
                "select relallvisible from pg_class where oid = 'cases'::regclass"
            ).scalar_one()
            return visible > 0
        tables = connection.exec_driver_sql(
            "select name from sqlite_master where name = 'sqlite_stat1'"
        ).first()
        if tables is None:
            return False
        rows = connection.exec_driver_sql(
            "select count(*) from sqlite_stat1 where tbl = 'cases'"
        ).scalar_one()
        return rows > 0


class TextArrays:
    """numpy as dashboard.timestamps sees it, noting the width of every text array it makes
    (a fixed-width array is as wide as its longest cell, whatever the others hold)."""

    def __init__(self) -> None:
        self.widths: list[int] = []

    def __getattr__(self, name):
        return getattr(np, name)

    def asarray(self, *args, **kwargs):
        return self._noted(np.asarray(*args, **kwargs))

    def array(self, *args, **kwargs):
        return self._noted(np.array(*args, **kwargs))

    def _noted(self, made):
        if made.dtype.kind == "U":
            self.widths.append(made.dtype.itemsize // 4)
        return made
