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
    _window_at: _SortedLookup  # instant -> index of the last window opened by then
    _window_reaching: _SortedLookup  # clock value -> index of the first window reaching it

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
        cum_end = cum_before + lengths
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
            _window_at=_SortedLookup(opens, "right", int(range_start), int(range_end)),
            _window_reaching=_SortedLookup(
                cum_end, "left", 0, int(cum_end[-1]) if opens.size else 0
            ),
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
        if self.opens.size == 0:
            return np.zeros_like(t)
        k = np.maximum(self._window_at.searchsorted(t) - 1, 0)
        # Before the first window k is 0 and the clip gives 0: no special case needed.
        return self.cum_before[k] + np.clip(t - self.opens[k], 0, self.lengths[k])

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
        if np.any(target <= 0):
            raise ValueError("instant_at() needs clock values > 0 (targets are positive)")
        j = self._window_reaching.searchsorted(target)
        if np.any(j >= self.opens.size):
            raise CalendarRangeError(
                f"a deadline falls outside the calendar's years {self.first_year}-"
                f"{self.last_year}; extend the data's date range or lower the target"
            )
        return self.opens[j] + (target - self.cum_before[j])

    def _check_range(self, t: np.ndarray) -> None:
        if t.size and (t.min() < self.range_start or t.max() > self.range_end):
            bad = int(t.min()) if t.min() < self.range_start else int(t.max())
            raise CalendarRangeError(
                f"{format_utc(bad)} is outside the business calendar, which covers "
                f"{self.first_year}-{self.last_year} in {self.spec.timezone}"
            )


class _SortedLookup:
    """`np.searchsorted(edges, x, side)` for x in [lo, hi], several times faster.

    A table holds the answer at the start of every hour-wide bucket of x; the answer for x is
    that, moved on past the few edges (usually none) between the bucket's start and x. The
    moving loop makes the result exactly searchsorted's, whatever the edges; the table only
    makes it quick. At 1M lookups into ~1,500 windows a binary search costs ~60 ns each, this ~10.
    """

    WIDTH = 3600

    def __init__(self, edges: np.ndarray, side: str, lo: int, hi: int) -> None:
        self.lo = lo
        self.strict = side == "left"  # "left" moves past edges < x, "right" past edges <= x
        starts = lo + self.WIDTH * np.arange((hi - lo) // self.WIDTH + 2, dtype=np.int64)
        self.table = np.searchsorted(edges, starts, side=side)
        # A sentinel past the last edge stops every move without a bounds check.
        self.padded = np.append(edges, np.iinfo(np.int64).max).astype(np.int64)

    def searchsorted(self, x: np.ndarray) -> np.ndarray:
        if x.size and x.min() < self.lo:  # below the table: callers prevent it, stay exact anyway
            return np.searchsorted(self.padded[:-1], x, side="left" if self.strict else "right")
        bucket = np.minimum((x - self.lo) // self.WIDTH, self.table.size - 1)
        found = self.table[bucket]
        while True:
            nxt = self.padded[found]
            move = nxt < x if self.strict else nxt <= x
            if not move.any():
                return found
            found = found + move


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
