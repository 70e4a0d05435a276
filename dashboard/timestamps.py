"""ISO 8601 text -> UTC instants (integer seconds), vectorised, with a reason for every failure.

A timestamp with an offset or `Z` is absolute. One without is local wall time in the export's
zone: a wall time that never happened (clocks went forward) is refused; one that happened twice
(clocks went back) is read as its first occurrence and flagged, which for a business calendar
never changes a figure in London or New York (their clocks change on Sunday nights).
Fractions of a second are dropped (floored): figures are exact to the whole second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

# An offset can only follow a time: "2026-03-29" ends in "-29", which is a day, not an offset.
_OFFSET_AT_END = r"\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"


@dataclass(frozen=True)
class ParsedInstants:
    seconds: np.ndarray  # int64 UTC seconds; 0 where not valid
    present: np.ndarray  # bool: the cell held something
    valid: np.ndarray  # bool: it parsed to an instant
    ambiguous: np.ndarray  # bool: local time in a repeated hour, read as the first occurrence
    errors: np.ndarray  # object: reason where present and not valid, else ""


def parse_instants(values: pd.Series, *, zone: ZoneInfo, column: str) -> ParsedInstants:
    text = values.fillna("").astype(str).str.strip().reset_index(drop=True)
    n = len(text)
    present = (text != "").to_numpy()
    seconds = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    ambiguous = np.zeros(n, dtype=bool)
    errors = np.full(n, "", dtype=object)

    has_offset = text.str.contains(_OFFSET_AT_END, regex=True).to_numpy() & present
    naive = present & ~has_offset

    aware = pd.to_datetime(text[has_offset], format="ISO8601", utc=True, errors="coerce")
    _store(aware, np.flatnonzero(has_offset), seconds, valid)

    wall = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
    localized = wall.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    _store(localized, np.flatnonzero(naive), seconds, valid)
    # Parsed as a wall time but not placed on the timeline: a DST gap or overlap.
    for position in wall.index[wall.notna() & localized.isna()]:
        instants = _occurrences(wall[position].to_pydatetime(), zone)
        if instants:
            seconds[position] = min(instants)
            valid[position] = True
            ambiguous[position] = len(instants) > 1
        else:
            errors[position] = (
                f"{column} {text.iloc[position]!r} does not exist in {zone.key} "
                "(the clocks went forward past it); give it with an offset"
            )

    unparsed = present & ~valid & (errors == "")
    for position in np.flatnonzero(unparsed):
        errors[position] = (
            f"{column} {text.iloc[position]!r} is not a valid ISO 8601 date-time "
            "(expected e.g. 2026-03-02T09:15:00Z or 2026-03-02 09:15)"
        )
    return ParsedInstants(seconds, present, valid, ambiguous, errors)


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
