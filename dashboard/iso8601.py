"""The ISO 8601 date-times exports write, read (and ours written) in numpy a column at a time
(issue 16).

pandas reads a column of ISO 8601 text in one C pass only when every value has the same
offset; a column that mixes `Z`, `+01:00` and local wall times (normal across GMT/BST) is
read per group and checked per value in Python, most of `compute`'s time. This reader takes
the one strict shape nearly every export writes,

    YYYY-MM-DD[T or space]HH:MM:SS[.f to .ffffff][Z or +HH:MM or -HH:MM]

ASCII, a real calendar date in the years 1678-2261, hours 00-23, minutes and seconds 00-59,
offset hours 00-23 and minutes 00-59, and works it out with integer arithmetic on the bytes.
It recognises nothing else: every other value (another shape, a time without seconds, seven
or more digits of a fraction, an impossible date, text) is left to the exact reader
(dashboard/timestamps.py), which reads or refuses it as it always has. On what this reader
recognises, the two agree to the microsecond (tests/test_iso8601.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.text import lengths

_SHORTEST = len("2026-03-02T09:15:00")
_LONGEST = len("2026-03-02T09:15:00.123456+01:00")
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
# Whole years inside the range of pandas' nanosecond timestamps (1677-09-21 to 2262-04-11):
# outside it the exact reader's result for one value depends on the others it is read with
# (a column that needs nanoseconds refuses the year 1000), which this reader cannot copy.
_FIRST_YEAR, _LAST_YEAR = 1678, 2261
# How many values are looked at together: a few MB of bytes and numbers at a time.
_CHUNK = 131_072


@dataclass(frozen=True)
class StrictTimes:
    recognised: np.ndarray  # bool: the value has the strict shape and a real date and time
    absolute: np.ndarray  # bool: recognised, with Z or an offset
    seconds: np.ndarray  # int64: UTC seconds where absolute (the fraction dropped), else 0
    wall_micros: np.ndarray  # int64: wall time (microseconds from 1970-01-01T00:00) where
    # recognised and without an offset, else 0


def read_strict(values: list[str]) -> StrictTimes:
    """Each value read if it has the strict shape; `recognised` says which were."""
    n = len(values)
    recognised = np.zeros(n, dtype=bool)
    absolute = np.zeros(n, dtype=bool)
    seconds = np.zeros(n, dtype=np.int64)
    wall_micros = np.zeros(n, dtype=np.int64)
    for start in range(0, n, _CHUNK):
        chunk = values[start : start + _CHUNK]
        part = slice(start, start + len(chunk))
        recognised[part], absolute[part], seconds[part], wall_micros[part] = _read_chunk(chunk)
    return StrictTimes(recognised, absolute, seconds, wall_micros)


def _read_chunk(values: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(values)
    size = lengths(values)
    try:  # numpy's fixed-width bytes: each value padded with 0 bytes (or cut) to _LONGEST
        cells = np.array(values, dtype=f"S{_LONGEST}")
    except UnicodeEncodeError:  # a non-ASCII cell is no strict date-time: leave it out
        ascii_cells = np.fromiter(map(str.isascii, values), dtype=bool, count=n)
        size = np.where(ascii_cells, size, 0)
        cells = np.array(
            [v if ok else "" for v, ok in zip(values, ascii_cells.tolist(), strict=True)],
            dtype=f"S{_LONGEST}",
        )
    # One row of bytes per value; 0 past its end (no shape below accepts a 0 byte). A value
    # longer than _LONGEST was cut: `size` refuses it.
    grid = cells.view(np.uint8).reshape(n, _LONGEST)
    value = grid - np.uint8(ord("0"))  # a digit's value; 10 or more for any other byte
    digit = value < 10

    def number(first: int, last: int) -> np.ndarray:
        total = value[:, first].astype(np.int64)
        for k in range(first + 1, last):
            total = total * 10 + value[:, k]
        return total

    ok = (size >= _SHORTEST) & (size <= _LONGEST)
    ok &= digit[:, [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]].all(axis=1)
    ok &= (grid[:, 4] == ord("-")) & (grid[:, 7] == ord("-"))
    ok &= (grid[:, 10] == ord("T")) | (grid[:, 10] == ord(" "))
    ok &= (grid[:, 13] == ord(":")) & (grid[:, 16] == ord(":"))

    # A fraction: '.' and 1-6 digits (more would need nanoseconds: the exact reader's).
    dot = grid[:, 19] == ord(".")
    run = np.zeros(n, dtype=np.int64)  # how many digits follow it (7 means too many)
    unbroken = dot.copy()
    for k in range(20, 27):
        unbroken &= digit[:, k]
        run += unbroken
    ok &= ~dot | ((run >= 1) & (run <= 6))
    digits = np.where(dot, np.minimum(run, 6), 0)
    # Worked out on the rows that have a fraction only (exports rarely write one).
    micros = np.zeros(n, dtype=np.int64)
    fractional = np.flatnonzero(dot)
    if fractional.size:
        places, fraction = digits[fractional], np.zeros(fractional.size, dtype=np.int64)
        for k in range(6):
            fraction = np.where(k < places, fraction * 10 + value[fractional, 20 + k], fraction)
        micros[fractional] = fraction * 10 ** (6 - places)

    # Then nothing, Z, or +HH:MM / -HH:MM, and the end of the value.
    zone_at = 19 + np.where(dot, digits + 1, 0)
    left = size - zone_at
    # The zone's six bytes: right after the seconds, or after the fraction where there is one
    # (gathered on those rows alone; a fraction's 7 bytes at most leave the zone inside the row).
    zone = grid[:, 19:25].copy()
    if fractional.size:
        at = zone_at[fractional, None] + np.arange(6)
        zone[fractional] = np.take_along_axis(grid[fractional], at, axis=1)
    zone_value = zone - np.uint8(ord("0"))
    naive = left == 0
    utc = (left == 1) & (zone[:, 0] == ord("Z"))
    signed = (left == 6) & ((zone[:, 0] == ord("+")) | (zone[:, 0] == ord("-")))
    signed &= (zone_value[:, [1, 2, 4, 5]] < 10).all(axis=1) & (zone[:, 3] == ord(":"))
    offset_hours = zone_value[:, 1].astype(np.int64) * 10 + zone_value[:, 2]
    offset_minutes = zone_value[:, 4].astype(np.int64) * 10 + zone_value[:, 5]
    signed &= (offset_hours <= 23) & (offset_minutes <= 59)
    ok &= naive | utc | signed
    offset = np.where(signed, offset_hours * 3600 + offset_minutes * 60, 0)
    offset = np.where(zone[:, 0] == ord("-"), -offset, offset)

    year, month, day = number(0, 4), number(5, 7), number(8, 10)
    hour, minute, second = number(11, 13), number(14, 16), number(17, 19)
    # Each month's length and first day looked up by year and month (a table of the
    # supported years, made once), instead of worked out a value at a time.
    in_table = (np.clip(year, _FIRST_YEAR, _LAST_YEAR) - _FIRST_YEAR, np.clip(month, 0, 12))
    ok &= (year >= _FIRST_YEAR) & (year <= _LAST_YEAR) & (month >= 1) & (month <= 12)
    ok &= (day >= 1) & (day <= _MONTH_LENGTH[in_table]) & (hour <= 23) & (minute <= 59)
    ok &= second <= 59

    wall = (_MONTH_START[in_table] + day - 1) * 86400 + hour * 3600 + minute * 60 + second
    absolute = ok & ~naive
    seconds = np.where(absolute, wall - offset, 0)
    wall_micros = np.where(ok & naive, wall * 1_000_000 + micros, 0)
    return ok, absolute, seconds, wall_micros


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 of each proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = y // 400
    year_of_era = y - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _month_table() -> tuple[np.ndarray, np.ndarray]:
    """By year (from _FIRST_YEAR) and month (1-12; 0 is no month): each month's days, and the
    days from 1970-01-01 to its first."""
    year, month = np.meshgrid(np.arange(_FIRST_YEAR, _LAST_YEAR + 1), np.arange(13), indexing="ij")
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    length = _DAYS_IN_MONTH[month] + (leap & (month == 2))
    return length, _days_from_civil(year, np.maximum(month, 1), np.ones_like(month))


_MONTH_LENGTH, _MONTH_START = _month_table()


def format_utc(seconds: np.ndarray) -> np.ndarray | None:
    """UTC seconds -> 'YYYY-MM-DDTHH:MM:SSZ' (an object array of str), the digits worked out
    in integers: numpy's datetime_as_string gives the same text at about three times the
    cost. None when an instant falls outside the years 0000-9999, which that text cannot
    show (numpy writes a sign or a fifth digit there: dashboard/timestamps.py asks it)."""
    seconds = np.asarray(seconds, dtype=np.int64)
    days, clock = np.divmod(seconds, 86400)  # floors, before 1970 too
    year, month, day = _civil_from_days(days)
    if seconds.size and (year.min() < 0 or year.max() > 9999):
        return None
    hour, rest = np.divmod(clock, 3600)
    minute, second = np.divmod(rest, 60)
    text = np.empty((seconds.size, 20), dtype=np.uint8)
    for position, char in ((4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")):
        text[:, position] = ord(char)
    for first, value, width in (
        (0, year, 4), (5, month, 2), (8, day, 2), (11, hour, 2), (14, minute, 2), (17, second, 2)
    ):  # fmt: skip
        for position in range(first + width - 1, first - 1, -1):
            value, digit = np.divmod(value, 10)
            text[:, position] = digit + ord("0")
    return text.view("S20").ravel().astype("U20").astype(object)


def _civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of each count of days from 1970-01-01 (H. Hinnant's algorithm)."""
    z = days + 719468
    era = z // 146097
    day_of_era = z - era * 146097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153  # March is 0
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = np.where(shifted_month < 10, shifted_month + 3, shifted_month - 9)
    return year_of_era + era * 400 + (month <= 2), month, day
