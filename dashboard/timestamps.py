"""Date-time text -> UTC instants (integer seconds), vectorised, with a reason for every failure.

Values are read with an export's formats, tried in order (ISO 8601 by default). A value with an
offset or `Z` is absolute. One without is local wall time in the export's zone: a wall time that
never happened (clocks went forward) is refused; one that happened twice (clocks went back) is
read as its first occurrence and flagged, which for a business calendar never changes a figure
in London or New York (their clocks change on Sunday nights). Fractions of a second are dropped
(floored): figures are exact to the whole second. A cell longer than LONGEST_VALUE characters
is refused without being parsed (dashboard/text.py says why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from dashboard.iso8601 import format_utc, read_strict
from dashboard.text import LONGEST_VALUE, cleaned, lengths, too_long

ISO8601 = "ISO8601"
# The widest text the ISO shape check puts in a numpy array (fixed-width: as wide as its
# longest cell). A longer cell is no ISO 8601 time anyone writes; it is checked on its own.
_ISO_ARRAY_WIDTH = 64


@dataclass(frozen=True)
class ParsedInstants:
    seconds: np.ndarray  # int64 UTC seconds; 0 where not valid
    present: np.ndarray  # bool: the cell held something
    valid: np.ndarray  # bool: it parsed to an instant
    ambiguous: np.ndarray  # bool: local time in a repeated hour, read as the first occurrence
    errors: np.ndarray  # object: reason where present and not valid, else ""


def parse_instants(
    values: pd.Series,
    *,
    zone: ZoneInfo,
    column: str,
    formats: Sequence[str] = (ISO8601,),
    clean: bool = True,
) -> ParsedInstants:
    """`clean=False` when the values are already stripped text ('' for empty), as mapped
    columns are: it saves a pass over every cell."""
    text = (cleaned(values) if clean else values).reset_index(drop=True)
    n = len(text)
    present = (text != "").to_numpy()
    seconds = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    errors = np.full(n, "", dtype=object)
    walls = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    overlong = lengths(text.tolist()) > LONGEST_VALUE
    for position in np.flatnonzero(overlong):
        errors[position] = too_long(column, text.iloc[position])

    remaining = present & ~overlong
    for fmt in formats:
        if not remaining.any():
            break
        if fmt == ISO8601:  # the strict shape in numpy first; the exact reader reads the rest
            _read_strict(text, remaining, seconds, valid, walls)
            if not remaining.any():
                break
        subset = text[remaining]
        absolute, local = read_with_format(subset, fmt)
        _store(absolute, absolute.index.to_numpy(), seconds, valid)
        hit = local.notna()
        walls[hit.index[hit]] = local[hit]
        remaining[absolute.index[absolute.notna()]] = False
        remaining[hit.index[hit]] = False

    wall_rows = walls.notna()
    localized = walls[wall_rows].dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    _store(localized, np.flatnonzero(wall_rows), seconds, valid)
    # Read as a wall time but not placed on the timeline: a DST gap or overlap.
    for position in localized.index[localized.isna()]:
        instants = _occurrences(walls[position].to_pydatetime(), zone)
        if instants:
            seconds[position] = min(instants)
            valid[position] = True
            ambiguous[position] = len(instants) > 1
        else:
            errors[position] = (
                f"{column} {text.iloc[position]!r} does not exist in {zone.key} "
                "(the clocks went forward past it); give it with an offset"
            )

    expected = describe_formats(formats)
    for position in np.flatnonzero(present & ~valid & (errors == "")):
        errors[position] = f"{column} {text.iloc[position]!r} is not a valid date-time ({expected})"
    return ParsedInstants(seconds, present, valid, ambiguous, errors)


def _read_strict(
    text: pd.Series,
    remaining: np.ndarray,
    seconds: np.ndarray,
    valid: np.ndarray,
    walls: pd.Series,
) -> None:
    """Read the remaining values that have the strict ISO 8601 shape (dashboard/iso8601.py):
    absolute ones into `seconds`, wall times into `walls`; they are no longer remaining."""
    rows = np.flatnonzero(remaining)
    values = text.tolist()
    strict = read_strict(values if rows.size == len(values) else [values[i] for i in rows])
    absolute = rows[strict.absolute]
    seconds[absolute] = strict.seconds[strict.absolute]
    valid[absolute] = True
    local = strict.recognised & ~strict.absolute
    if local.any():
        walls.iloc[rows[local]] = strict.wall_micros[local].astype("datetime64[us]")
    remaining[rows[strict.recognised]] = False


def _plausible_isos(text: pd.Series) -> np.ndarray:
    """_plausible_iso for a column: the shape in numpy, the offset rule only where one is.

    The array of characters is at most _ISO_ARRAY_WIDTH wide, whatever the cells hold: a
    longer cell (text no timestamp is) is looked at on its own, never sizing the array."""
    values = text.tolist()
    width = lengths(values)
    shape = np.zeros(len(values), dtype=bool)
    wide = width > _ISO_ARRAY_WIDTH
    for i in np.flatnonzero(wide):
        shape[i] = _plausible_iso(values[i])
    rows = np.flatnonzero(~wide)
    if rows.size == 0:
        return shape
    narrow = values if rows.size == len(values) else [values[i] for i in rows]
    cells = np.asarray(narrow, dtype=f"<U{max(int(width[rows].max()), 17)}")
    chars = cells.view("<U1").reshape(rows.size, -1)
    fits = (
        (chars[:, 15] != "")  # at least 16 characters
        & (chars[:, 13] == ":")
        & np.isin(chars[:, 10], ["T", "t", " "])
        & np.char.isdigit(chars[:, 0:4]).all(axis=1)
    )
    tail = chars[:, 16:]
    signed = fits & ((tail == "+") | (tail == "-")).any(axis=1)
    for i in np.flatnonzero(signed):  # offsets are rare in a column, or all the same shape
        fits[i] = _plausible_iso(narrow[i])
    shape[rows] = fits
    return shape


def _plausible_iso(value: str) -> bool:
    """A date and a time of day to the minute at least (2026-03-02T09:15), and an offset, if
    any, of the forms Z, +HH, +HHMM or +HH:MM. Refuses what pandas would otherwise accept:
    "now" and "today" (the current time), a date alone, "2026-03" (the 1st), "T09Z"."""
    if len(value) < 16 or value[13] != ":" or value[10] not in "Tt " or not value[:4].isdigit():
        return False
    tail = value[16:]
    sign = max(tail.rfind("+"), tail.rfind("-"))
    return sign < 0 or len(tail) - sign - 1 in (2, 4, 5)


def read_with_format(text: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Values read with one format -> (absolute instants in UTC, local wall times).

    Never raises: a value the format cannot read is NaT in both, as is one longer than
    LONGEST_VALUE, which is not parsed at all.
    """
    fit = lengths(text.tolist()) <= LONGEST_VALUE
    if not fit.all():
        absolute, local = read_with_format(text[fit], fmt)
        return absolute.reindex(text.index), local.reindex(text.index)
    return _parse_iso(text) if fmt == ISO8601 else _parse_format(text, fmt)


def _parse_iso(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 8601 values -> (absolute instants in UTC, local wall times), NaT where not read."""
    empty_abs = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
    empty_wall = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    plausible = text[_plausible_isos(text)]
    if plausible.empty:
        return empty_abs, empty_wall
    try:  # the usual case, one C pass: a column all local or all with the same offset
        parsed = pd.to_datetime(plausible, format=ISO8601)
    except (ValueError, TypeError, OverflowError):
        parsed = None
    if parsed is not None:
        if getattr(parsed.dt, "tz", None) is None:
            # In microseconds, as _coerce reads them: seven or more digits of a second made
            # the column nanoseconds, which the microsecond walls refused with a traceback.
            parsed = parsed.astype("datetime64[us]")
            return empty_abs, empty_wall.where(~empty_wall.index.isin(parsed.index), parsed)
        utc = parsed.dt.tz_convert("UTC")
        return empty_abs.where(~empty_abs.index.isin(utc.index), utc), empty_wall
    # Mixed offsets (normal across GMT/BST), local and absolute together, or bad values.
    upper = plausible.str.upper()
    offset = np.array([_has_offset(v) for v in upper.tolist()], dtype=bool)
    absolute = _coerce(upper[offset], ISO8601, utc=True)
    local = _coerce(upper[~offset], ISO8601, utc=False)
    return (
        empty_abs.where(~empty_abs.index.isin(absolute.index), absolute),
        empty_wall.where(~empty_wall.index.isin(local.index), local),
    )


def _parse_format(text: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    if "%z" in fmt:
        absolute = _coerce(text, fmt, utc=True)
        return absolute, pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    local = _coerce(text, fmt, utc=False)
    return pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]"), local


def any_local(text: pd.Series) -> bool:
    """Whether any non-empty value is a wall time without an offset (read in the export's
    zone): then the zone is one the export implies; an export of `Z` times implies none."""
    # Stops at the first local time. _has_offset inlined, without upper(): a column of a
    # million times all with offsets (the usual export) is read in 0.05 s instead of 0.16.
    # (pandas' string methods are slower on the object columns the mapping makes.)
    for value in text.tolist():
        if value and value[-1] not in "Zz" and "+" not in value[11:] and "-" not in value[11:]:
            return True
    return False


def _has_offset(value: str) -> bool:
    """After the date (its hyphens are in the first ten characters), a sign or Z is an offset."""
    return value.endswith("Z") or "+" in value[11:] or "-" in value[11:]


def _coerce(text: pd.Series, fmt: str, *, utc: bool) -> pd.Series:
    """pd.to_datetime that never raises: NaT for anything it cannot read as asked."""
    dtype = "datetime64[us, UTC]" if utc else "datetime64[us]"
    if text.empty:
        return pd.Series(pd.NaT, index=text.index, dtype=dtype)
    try:
        parsed = pd.to_datetime(text, format=fmt, utc=utc, errors="coerce")
        if utc or getattr(parsed.dt, "tz", None) is None:
            return parsed.astype(dtype)
    except (ValueError, TypeError, OverflowError):
        pass
    # One value at a time: slow, only for files that mix what a column should not.
    out = pd.Series(pd.NaT, index=text.index, dtype=dtype)
    for position, value in text.items():
        try:
            one = pd.to_datetime(pd.Series([value]), format=fmt, utc=utc, errors="coerce")
        except (ValueError, TypeError, OverflowError):
            continue
        if utc or getattr(one.dt, "tz", None) is None:
            out[position] = one.iloc[0]
    return out


def describe_formats(formats: Sequence[str]) -> str:
    shown = ["ISO 8601 like 2026-03-02T09:15:00Z" if f == ISO8601 else _example(f) for f in formats]
    return "expected " + " or ".join(shown)


def _example(fmt: str) -> str:
    try:
        return dt.datetime(2026, 3, 2, 14, 15, 0).strftime(fmt)
    except ValueError:
        return fmt


def parse_instant(text: str, *, zone: ZoneInfo, what: str) -> int:
    """One ISO 8601 instant (e.g. --as-of); raises ValueError with the reason."""
    parsed = parse_instants(pd.Series([text]), zone=zone, column=what)
    if not parsed.valid[0]:
        raise ValueError(parsed.errors[0] or f"{what} is empty")
    return int(parsed.seconds[0])


def utc_years(seconds: np.ndarray) -> np.ndarray:
    """The UTC calendar year of each instant (any year numpy can hold, unlike pandas' ns)."""
    years = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[Y]")
    return years.astype(np.int64) + 1970


def format_instants(seconds: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """UTC seconds -> 'YYYY-MM-DDTHH:MM:SSZ' strings ('' where not present)."""
    text = format_utc(seconds)  # the same text, faster; None outside the years 0000-9999
    if text is None:
        stamps = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
        text = np.char.add(np.datetime_as_string(stamps, unit="s"), "Z").astype(object)
    if present is not None:
        text[~np.asarray(present, dtype=bool)] = ""
    return text


def _store(parsed: pd.Series, positions: np.ndarray, seconds: np.ndarray, valid: np.ndarray):
    ok = parsed.notna().to_numpy()
    micros = parsed[ok].dt.as_unit("us").astype("int64").to_numpy()
    seconds[positions[ok]] = micros // 1_000_000  # floor, also before 1970
    valid[positions[ok]] = True


def _occurrences(wall: dt.datetime, zone: ZoneInfo) -> list[int]:
    """UTC seconds of every instant at which the local clock showed `wall` (0, 1 or 2)."""
    found = set()
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold)
        if instant.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) == wall:
            found.add(int(instant.astimezone(dt.UTC).timestamp()))
    return sorted(found)
