"""Reporting periods: the sidebar's quick presets, and the period before for comparisons.

Every period is a pair of local calendar days, both included, in the policy's zone (cases are
grouped by the day they were created there). "Today" is the as-of day, so a view judged as of
an earlier instant shows the months before that instant, not before the real today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Preset = Literal[
    "last_30_days", "this_month", "last_month", "this_quarter", "last_quarter",
    "last_12_months", "year_to_date", "all", "custom",
]  # fmt: skip

PRESETS: dict[str, str] = {
    "last_30_days": "Last 30 days",
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "last_12_months": "Last 12 months",
    "year_to_date": "Year to date",
    "all": "All time",
    "custom": "Custom range",
}


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(
                f"a period ends on or after it starts (got {self.first} .. {self.last})"
            )

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        return f"{self.first:%d %b %Y} - {self.last:%d %b %Y}"


def resolve(
    preset: str,
    *,
    today: dt.date,
    span: Period | None = None,
    custom: tuple[dt.date, dt.date] | None = None,
) -> Period:
    """The period a preset means as of `today`. "all" is the data's span (today alone without
    data); "custom" is the given pair of days, in either order."""
    if preset == "last_30_days":
        return Period(today - dt.timedelta(days=29), today)
    if preset == "this_month":
        return Period(today.replace(day=1), today)
    if preset == "last_month":
        first_of_this = today.replace(day=1)
        last = first_of_this - dt.timedelta(days=1)
        return Period(last.replace(day=1), last)
    if preset == "this_quarter":
        return Period(_quarter_start(today), today)
    if preset == "last_quarter":
        last = _quarter_start(today) - dt.timedelta(days=1)
        return Period(_quarter_start(last), last)
    if preset == "last_12_months":  # full months, compared with the 12 full months before
        this_month = today.replace(day=1)
        return Period(_add_months(this_month, -12), this_month - dt.timedelta(days=1))
    if preset == "year_to_date":
        return Period(today.replace(month=1, day=1), today)
    if preset == "all":
        return span or Period(today, today)
    if preset == "custom":
        if custom is None:
            raise ValueError("a custom period needs its first and last days")
        first, last = sorted(custom)
        return Period(first, last)
    raise ValueError(f"unknown period preset {preset!r} (expected one of {', '.join(PRESETS)})")


def previous(period: Period) -> Period:
    """The period just before, for "change against the previous period".

    A whole calendar month or quarter is compared with the whole one before it (March with
    February, not with the 31 days before March); any other period with the same number of days
    ending the day before it starts.
    """
    months = _whole_months(period)
    if months:
        first = _add_months(period.first, -months)
        return Period(first, period.first - dt.timedelta(days=1))
    return Period(
        period.first - dt.timedelta(days=period.days), period.first - dt.timedelta(days=1)
    )


TO_DATE_MONTHS = {"this_month": 1, "this_quarter": 3, "year_to_date": 12}


def previous_for(preset: str, period: Period) -> Period:
    """The period a person compares a preset with: a month, quarter or year to date with the
    same days of the month, quarter or year before (1-20 March with 1-20 February, not with
    the 20 days before March); any other period as previous() does."""
    months = TO_DATE_MONTHS.get(preset)
    if months is None:
        return previous(period)
    first = _add_months(period.first, -months)
    end_of_unit = period.first - dt.timedelta(days=1)
    same_day = first + (period.last - period.first)
    return Period(first, min(same_day, end_of_unit))


def _whole_months(period: Period) -> int:
    """How many calendar months the period is exactly (1 or 3 for the presets), else 0."""
    if period.first.day != 1 or (period.last + dt.timedelta(days=1)).day != 1:
        return 0
    end = period.last + dt.timedelta(days=1)
    return (end.year - period.first.year) * 12 + end.month - period.first.month


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
