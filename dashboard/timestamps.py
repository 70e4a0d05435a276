"""Date-time text -> UTC instants (integer seconds), vectorised, with a reason for every failure.

Values are read with an export's formats, tried in order (ISO 8601 by default). A value with an
offset or `Z` is absolute. One without is local wall time in the export's zone: a wall time that
never happened (clocks went forward) is refused; one that happened twice (clocks went back) is
read as its first occurrence and flagged, which for a business calendar never changes a figure
in London or New York (their clocks change on Sunday nights). Fractions of a second are dropped
(floored): figures are exact to the whole second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

ISO8601 = "ISO8601"
# An offset can only follow a time: "2026-03-29" ends in "-29", which is a day, not an offset.
_OFFSET_AT_END = r"\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"


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
) -> ParsedInstants:
    text = values.fillna("").astype(str).str.strip().reset_index(drop=True)
    n = len(text)
    present = (text != "").to_numpy()
    seconds = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    errors = np.full(n, "", dtype=object)
    walls = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")

    remaining = present.copy()
    has_offset = text.str.contains(_OFFSET_AT_END, regex=True).to_numpy() & present
    for fmt in formats:
        if not remaining.any():
            break
        if fmt == ISO8601 or "%z" in fmt:
            absolute = remaining & (has_offset if fmt == ISO8601 else remaining)
            parsed = pd.to_datetime(text[absolute], format=fmt, utc=True, errors="coerce")
            _store(parsed, np.flatnonzero(absolute), seconds, valid)
            remaining &= ~valid
        if fmt == ISO8601 or "%z" not in fmt:
            local = remaining & ~(has_offset if fmt == ISO8601 else np.zeros(n, dtype=bool))
            parsed = pd.to_datetime(text[local], format=fmt, errors="coerce")
            hit = parsed.notna()
            walls[hit.index[hit]] = parsed[hit]
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
