"""Durations, shares and instants as people read them: one spelling on every surface.

The pages, the review packs (HTML, PDF, XLSX text) and the terminal all format through here,
so a case that breached by 20 seconds reads "20s over" everywhere (issue #11: it read
"0h 00m" on a page, "20s" in the pack and "0:00:20" in the terminal). Durations are exact to
the second: a breach by half a minute is a breach and must never read as zero, and the
stretches of a case's ledger must add up on the page. Numbers meant for machines (the CSV
columns of `sla-dashboard compute`, the JSON of `--json`) stay numbers and never pass here.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

FEW_CASES = 10  # a rate on fewer judged cases is marked as such: one case moves it 10 points
MISSING = "-"  # what an absent figure reads as (no answered case, nothing to judge)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def duration(seconds: float | None) -> str:
    """A duration in business (or any) time, to the nearest second, hours never folded into
    days (a business day is not 24 hours): 20 -> '20s', 3599 -> '59m 59s', 16200 -> '4h 30m',
    7517 -> '2h 05m 17s', 361800 -> '100h 30m', -1800 -> '-30m'; None or NaN -> '-'."""
    if _missing(seconds):
        return MISSING
    whole = round(float(seconds))
    sign = "-" if whole < 0 else ""
    hours, rest = divmod(abs(whole), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        text = f"{hours}h {minutes:02d}m" + (f" {secs:02d}s" if secs else "")
    elif minutes:
        text = f"{minutes}m" + (f" {secs:02d}s" if secs else "")
    else:
        text = f"{secs}s"
    return sign + text


def hours(value: float | None) -> str:
    """A figure held in hours (medians, targets, overshoot), spelled as duration() does."""
    return MISSING if _missing(value) else duration(float(value) * 3600)


def durations(seconds) -> list[str]:
    """duration() of each value of a column (a page's table of up to 5,000 cases: one call a
    value cost 2 us; here the parts are joined a column at a time, in C)."""
    return _spelled(_numbers(seconds))


def hours_column(values) -> list[str]:
    """hours() of each value of a column, as durations() spells a column."""
    return _spelled(_numbers(values) * 3600)  # the same float product hours() rounds


def open_responses(states, hours) -> list[str]:
    """Each open case's response in words, by its state (views.open_states) and its business
    hours left or overdue by: 'overdue by 80h 00m', '3h 00m left', 'answered', or 'not timed
    (the export records no response)'; a column at a time, as hours_column spells one."""
    state = pd.Series(states).to_numpy(dtype=object)
    spelled = np.array(hours_column(hours), dtype=object)
    words = np.select(
        [state == "overdue", state == "unanswered", state == "answered"],
        ["overdue by " + spelled, spelled + " left", np.full(state.size, "answered", object)],
        default="not timed (the export records no response)",
    )
    return words.tolist()


def _numbers(values) -> np.ndarray:
    """A column as floats, NaN where _missing() (None, NaN, or not a number)."""
    series = pd.Series(values)
    if series.dtype.kind not in "iuf":
        series = pd.to_numeric(series.astype(object), errors="coerce")
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _spelled(seconds: np.ndarray) -> list[str]:
    """duration()'s rules, a column at a time (NaN: MISSING). Two spellings of one rule:
    tests/test_readable.py holds them equal value for value; change both together."""
    missing = np.isnan(seconds)
    whole = np.rint(np.where(missing, 0.0, seconds)).astype(np.int64)  # round(): half to even
    hours_, rest = np.divmod(np.abs(whole), 3600)
    minutes, secs = np.divmod(rest, 60)
    # numbers spelled from tables (and each distinct hour once): numpy's int-to-text is slower
    distinct, position = np.unique(hours_, return_inverse=True)
    hours_text = np.array([str(h) for h in distinct.tolist()], dtype=object)[position.reshape(-1)]
    with_secs = np.where(secs != 0, " " + _TWO_DIGITS[secs] + "s", "")
    text = np.where(
        hours_ != 0,
        hours_text + "h " + _TWO_DIGITS[minutes] + "m" + with_secs,
        np.where(minutes != 0, _NUMBERS[minutes] + "m" + with_secs, _NUMBERS[secs] + "s"),
    )
    text = np.where(whole < 0, "-" + text, text)
    text[missing] = MISSING
    return text.tolist()


def share(value: float | None) -> str:
    """0.9473 -> '94.7%'; None or NaN -> '-'."""
    return MISSING if _missing(value) else f"{float(value):.1%}"


def rate(value: float | None, count: int, *, noun: str = "cases") -> str:
    """A rate with the count it is a share of: '72.7% (11 cases)', and below FEW_CASES
    '66.7% (only 3 cases)' (attainment: noun='judged', its met + breached); '-' when there was
    nothing to count."""
    if _missing(value) or not count:
        return MISSING
    count = int(count)
    few = "only " if count < FEW_CASES else ""
    unit = noun if noun != "cases" or count != 1 else "case"
    return f"{share(value)} ({few}{count:,} {unit})"


def clock(seconds_of_day: int) -> str:
    """Seconds since local midnight as a wall clock: 32400 -> '09:00' (86400 -> '24:00')."""
    return f"{seconds_of_day // 3600:02d}:{seconds_of_day % 3600 // 60:02d}"


def when(moment: dt.datetime) -> str:
    """A local moment: 'Fri 06 Mar 2026 17:30' (seconds only when there are some)."""
    return f"{WEEKDAYS[moment.weekday()]} {moment:%d %b %Y} {time_of_day(moment)}"


def time_of_day(moment: dt.datetime) -> str:
    return f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"


def instant(value: dt.datetime | int, zone: ZoneInfo, *, with_zone: bool = False) -> str:
    """An instant (aware datetime or UTC seconds) in the calendar's zone, as when() spells it;
    with_zone adds the zone's name: 'Fri 13 Mar 2026 12:00 Europe/London'."""
    if isinstance(value, dt.datetime):
        moment = value.astimezone(zone)
    else:
        moment = dt.datetime.fromtimestamp(int(value), zone)
    return when(moment) + (f" {zone.key}" if with_zone else "")


def instants(stamps: pd.Series, zone: ZoneInfo, *, missing: str = MISSING) -> list[str]:
    """instant() of each value of a column of instants (aware, or naive UTC), missing ones
    as `missing`: a page's table of 5,000 cases spelled in a few milliseconds, where one
    instant() per value took a fifth of a second of every rerun. Each distinct local day
    and time of day is spelled once, by when()'s own rules, and the two joined."""
    wall = pd.to_datetime(pd.Series(stamps), utc=True).dt.tz_convert(zone).dt.tz_localize(None)
    values = wall.to_numpy(dtype="datetime64[s]")
    spelled = np.full(values.size, missing, dtype=object)
    present = ~np.isnat(values)
    if not present.any():
        return spelled.tolist()
    days = values[present].astype("datetime64[D]")
    of_day = (values[present] - days).astype(np.int64)
    distinct_days, day_of = np.unique(days, return_inverse=True)
    distinct_times, time_of = np.unique(of_day, return_inverse=True)
    day_text = np.array(
        [f"{WEEKDAYS[d.weekday()]} {d:%d %b %Y}" for d in distinct_days.astype(dt.date)],
        dtype=object,
    )
    # time_of_day()'s spelling from whole numbers, for nearly one distinct time per case (to
    # the second): a datetime and strftime each cost 2.5 us, an f-string with three {:02d}
    # 1.1 us; two-digit strings looked up and joined in C (a 5,000-row table's column of
    # instants in 4.8 ms instead of 7.5 on the development machine)
    hours_, rest = np.divmod(distinct_times, 3600)
    minutes, seconds = np.divmod(rest, 60)
    clock = _TWO_DIGITS[hours_] + ":" + _TWO_DIGITS[minutes]
    time_text = np.where(seconds != 0, clock + ":" + _TWO_DIGITS[seconds], clock)
    spelled[present] = day_text[day_of.reshape(-1)] + " " + time_text[time_of.reshape(-1)]
    return spelled.tolist()


_TWO_DIGITS = np.array([f"{n:02d}" for n in range(60)], dtype=object)  # '00' .. '59'
_NUMBERS = np.array([str(n) for n in range(60)], dtype=object)  # '0' .. '59'


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def header(column: str) -> str:
    """A column's name as a table heads it: 'attainment_in_scope' -> 'Attainment in scope',
    'case_id' -> 'Case', 'file_name' -> 'File'; names already in words are left alone."""
    if column != column.lower() or ("_" not in column and " " in column):
        return column
    words = column.removesuffix("_id").removesuffix("_name").split("_")
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def beside(mine, other, spell=str) -> list[str]:
    """Two figures in one cell, the second in brackets: '3 (8)', '3h 00m (5h 30m)' (a
    period's figure beside the previous one's, a customer's beside everyone's); '-' for one
    that is missing."""
    return [f"{_spell(a, spell)} ({_spell(b, spell)})" for a, b in zip(mine, other, strict=True)]


def count(value) -> str:
    """A count a row may not have (a level without a resolution target): '-', never None."""
    return MISSING if _missing(value) else f"{int(value)}"


def _spell(value, spell) -> str:
    return MISSING if _missing(value) else spell(value)
