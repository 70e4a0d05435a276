"""The business-time engine: exact, vectorised, DST-safe.

A calendar is turned once into a sorted table of *working windows*: for every working day (a
workday that is neither a public holiday, observed substitutes included, nor a closure) the UTC
instants at which its local [open, close) begins and ends. With the running total of business
seconds before each window, the business clock of any instant is one binary search:

    clock(t) = business seconds from the start of the table up to t
             = cum_before[k] + clip(t - opens[k], 0, lengths[k]),  k = last window opening <= t

business time between two instants is clock(b) - clock(a), and the deadline for a target is the
inverse of the clock (a second binary search over the cumulative totals). Everything is integer
UTC seconds, so the figures are exact to the second, and because each window's ends are real
instants, a DST change inside a window (not in London or New York, but elsewhere) shortens or
lengthens that day's business time by exactly the hour the clocks moved.

The binary searches are what the answers are defined by; they run only where a table cannot
answer (issue 16: ~190 ns a case, the goal 100). Cut time into buckets (an hour, or a quarter
hour for zones and opening times off the hour): in a bucket no window opens inside, the clock
is min(t + shift, cap), one gather of each; cut clock values likewise, and in a bucket no
window's running total ends inside, the inverse is v + shift. Instants and values in the few
other buckets (a window opening at 08:07) take the binary search.

A local boundary that does not exist (clocks jump past it) opens at the jump; one that occurs
twice (clocks fall back) opens at its first occurrence: "the first instant the wall clock reads
the time or later".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd

from dashboard.clock_tables import ClockTable, InstantTable
from dashboard.errors import CalendarRangeError
from dashboard.policy import CalendarSpec

_UTC = dt.UTC


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """Working windows of one calendar for whole local years `first_year`..`last_year`."""

    spec: CalendarSpec
    first_year: int
    last_year: int
    range_start: int  # UTC seconds of local midnight opening first_year
    range_end: int  # UTC seconds of local midnight closing last_year
    opens: np.ndarray  # int64 UTC seconds, ascending
    lengths: np.ndarray  # int64 seconds, all > 0
    cum_before: np.ndarray  # int64 business seconds in all earlier windows
    closed_days: Mapping[dt.date, str]  # holidays and closures on workdays, by name
    _clock_table: ClockTable | None  # instant -> clock, by buckets (None: no windows)
    _instant_table: InstantTable | None  # clock value -> instant, by buckets

    @classmethod
    def build(cls, spec: CalendarSpec, *, first_year: int, last_year: int) -> BusinessCalendar:
        if first_year > last_year:
            raise ValueError(f"first_year {first_year} is after last_year {last_year}")
        zone = spec.zone
        closed_days = _closed_days(spec, first_year, last_year)

        days = pd.date_range(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), freq="D")
        is_workday = np.isin(days.day_of_week, spec.workdays)
        is_closed = days.isin(pd.to_datetime(list(closed_days)))
        working = days[is_workday & ~is_closed]

        opens = _first_instants(working + pd.Timedelta(seconds=spec.open_seconds), zone)
        closes = _first_instants(working + pd.Timedelta(seconds=spec.close_seconds), zone)
        lengths = closes - opens
        keep = lengths > 0  # a window can vanish in a DST gap (open 01:00, close 02:00)
        opens, lengths = opens[keep], lengths[keep]
        cum_before = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)

        bounds = pd.DatetimeIndex([dt.datetime(first_year, 1, 1), dt.datetime(last_year + 1, 1, 1)])
        range_start, range_end = _first_instants(bounds, zone)
        return cls(
            spec=spec,
            first_year=first_year,
            last_year=last_year,
            range_start=int(range_start),
            range_end=int(range_end),
            opens=opens,
            lengths=lengths,
            cum_before=cum_before,
            closed_days={day: closed_days[day] for day in sorted(closed_days)},
            _clock_table=(
                ClockTable(opens, lengths, cum_before, int(range_start), int(range_end))
                if opens.size
                else None
            ),
            _instant_table=InstantTable(opens, lengths, cum_before) if opens.size else None,
        )

    @classmethod
    def covering(cls, spec: CalendarSpec, *instants: np.ndarray | int) -> BusinessCalendar:
        """A calendar for every year the instants touch, plus one year either side.

        The margin absorbs UTC/local year differences and deadlines that run into the next year.
        It is trimmed to the years the holiday list covers; the instants' own years must be
        inside it or this fails loudly.
        """
        values = np.concatenate([np.atleast_1d(np.asarray(i, dtype=np.int64)) for i in instants])
        if values.size == 0:
            raise ValueError("covering() needs at least one instant")
        lo, hi = _utc_year(int(values.min())), _utc_year(int(values.max()))
        supported_lo, supported_hi = supported_years(spec)
        if lo < supported_lo or hi > supported_hi:
            raise CalendarRangeError(
                f"the data spans {lo}-{hi} but the {_holiday_label(spec)} holiday list covers "
                f"only {supported_lo}-{supported_hi}"
            )
        return cls.build(
            spec, first_year=max(lo - 1, supported_lo), last_year=min(hi + 1, supported_hi)
        )

    # -- the vectorised engine ---------------------------------------------------------------

    def clock(self, instants: np.ndarray | int) -> np.ndarray:
        """Business seconds from the start of the covered range up to each instant."""
        t = np.asarray(instants, dtype=np.int64)
        self._check_range(t)
        if self._clock_table is None:
            return np.zeros_like(t)
        return self._clock_table.clock(t.reshape(-1)).reshape(t.shape)[()]

    def working_dates(self) -> np.ndarray:
        """The local dates of the working days, ascending: one window opens on each."""
        opens = pd.to_datetime(self.opens, unit="s", utc=True).tz_convert(self.spec.zone)
        return opens.tz_localize(None).to_numpy(dtype="datetime64[D]")

    @property
    def total_seconds(self) -> int:
        """Business seconds in the whole covered range: no clock value beyond it is reachable."""
        return int(self.cum_before[-1] + self.lengths[-1]) if self.opens.size else 0

    def between(self, start: np.ndarray | int, end: np.ndarray | int) -> np.ndarray:
        """Business seconds in [start, end); negative (never clamped) when end precedes start."""
        return self.clock(end) - self.clock(start)

    def deadline(self, start: np.ndarray | int, seconds: np.ndarray | int) -> np.ndarray:
        """The earliest instant at which business time since `start` reaches `seconds` (> 0).

        It can be a closing time exactly (18:00), never the next opening instead.
        """
        return self.instant_at(self.clock(start) + np.asarray(seconds, dtype=np.int64))

    def instant_at(self, clock_values: np.ndarray | int) -> np.ndarray:
        """The earliest instant whose clock reads each value (the inverse of `clock`)."""
        target = np.asarray(clock_values, dtype=np.int64)
        self._check_reachable(target, 0)
        if target.size == 0:
            return target.copy()
        table, flat = self._instant_table, target.reshape(-1)
        bucket = np.floor_divide(flat - 1, table.width)
        return table.instants(flat, bucket).reshape(target.shape)[()]

    def instant_at_and_after(self, clock_values: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        """`instant_at(v)` and `instant_at(v + 1)`, together for less than twice the cost.

        The second is the first instant more than v business seconds have passed: one second
        after the first, or the next opening's first second when the first is a closing time.
        """
        target = np.asarray(clock_values, dtype=np.int64)
        self._check_reachable(target, 1)
        if target.size == 0:
            return target.copy(), target.copy()
        table, flat = self._instant_table, target.reshape(-1)
        bucket = np.subtract(flat, 1)
        first = table.instants(flat, np.floor_divide(bucket, table.width, out=bucket))
        after = table.instants(flat, np.floor_divide(flat, table.width, out=bucket), plus=1)
        return first.reshape(target.shape)[()], after.reshape(target.shape)[()]

    def _check_reachable(self, target: np.ndarray, beyond: int) -> None:
        """Clock values from 1 up to the covered range's total (less `beyond`) have an instant."""
        if target.size == 0:
            return
        if target.min() <= 0:
            raise ValueError("instant_at() needs clock values > 0 (targets are positive)")
        if target.max() + beyond > self.total_seconds:
            raise CalendarRangeError(
                f"a deadline falls outside the calendar's years {self.first_year}-"
                f"{self.last_year}; extend the data's date range or lower the target"
            )

    def _check_range(self, t: np.ndarray) -> None:
        if t.size and (t.min() < self.range_start or t.max() > self.range_end):
            bad = int(t.min()) if t.min() < self.range_start else int(t.max())
            raise CalendarRangeError(
                f"{format_utc(bad)} is outside the business calendar, which covers "
                f"{self.first_year}-{self.last_year} in {self.spec.timezone}"
            )


def supported_years(spec: CalendarSpec) -> tuple[int, int]:
    """The years for which the policy's holiday list is defined."""
    if spec.holidays is None:
        return 1, 9998
    source = holidays.country_holidays(spec.holidays.country, subdiv=spec.holidays.subdivision)
    return int(source.start_year), int(source.end_year)


def format_utc(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, _UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _holiday_label(spec: CalendarSpec) -> str:
    return spec.holidays.label if spec.holidays else "(none)"


def _utc_year(seconds: int) -> int:
    return dt.datetime.fromtimestamp(seconds, _UTC).year


def _closed_days(spec: CalendarSpec, first_year: int, last_year: int) -> dict[dt.date, str]:
    """Holidays and closures inside the years, by name.

    Holidays are generated one year beyond each end: an observed day can fall in the year
    before its holiday (US New Year 2022 was observed on 2021-12-31).
    """
    closed: dict[dt.date, str] = {}
    if spec.holidays is not None:
        lo, hi = supported_years(spec)
        source = holidays.country_holidays(
            spec.holidays.country,
            subdiv=spec.holidays.subdivision,
            years=range(max(first_year - 1, lo), min(last_year + 1, hi) + 1),
        )
        closed.update(source.items())
    for closure in spec.closures:
        closed[closure.day] = (
            f"{closed[closure.day]}; {closure.name}" if closure.day in closed else closure.name
        )
    return {day: name for day, name in closed.items() if first_year <= day.year <= last_year}


def _first_instants(walls: pd.DatetimeIndex, zone: ZoneInfo) -> np.ndarray:
    """UTC seconds of the first instant each local wall time (or a later one) is shown."""
    local = walls.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    result = np.asarray(local.as_unit("s").asi8, dtype=np.int64).copy()
    for i in np.flatnonzero(local.isna()):  # only walls in a DST gap or overlap: a few a year
        result[i] = first_instant_showing(walls[i].to_pydatetime(), zone)
    return result


def first_instant_showing(wall: dt.datetime, zone: ZoneInfo) -> int:
    """UTC seconds of the first instant at which the local clock shows `wall` or later."""
    candidates = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(_UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            candidates.append(int(instant.timestamp()))
    if candidates:  # exists once, or twice when clocks fall back: take the first
        return min(candidates)
    # In a gap: fold=1 maps to an instant just before the jump (showing less than `wall`),
    # fold=0 to one after it. Search the seconds between for the jump itself.
    lo = int(wall.replace(tzinfo=zone, fold=1).astimezone(_UTC).timestamp())
    hi = int(wall.replace(tzinfo=zone, fold=0).astimezone(_UTC).timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        shown = dt.datetime.fromtimestamp(mid, zone).replace(tzinfo=None)
        if shown >= wall:
            hi = mid
        else:
            lo = mid
    return hi
