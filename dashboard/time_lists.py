"""Every case's business response and resolution time, kept in lists per summary key.

Exact medians and percentiles need each case's time, and a period of a million cases read
one row per case cost half a second in the driver alone (the database's own scan is a fifth of
that). The summaries' refresh (dashboard/summaries.py) therefore packs the times of each key
of the summaries (created day, severity, customer, channel, plan, source: what the filters
choose) into one list, stored as little-endian int64s in tables response_time_lists and
resolution_time_lists. A period's times are then a few lists per day, joined in numpy: the
same values, in another order, which no percentile depends on.

Building them reads each time once more, in the order of a covering index (two reads per
table: the keys with their counts, then the times in the same order, cut by those counts, so
that no key crosses the driver once per case). At 1M cases that is about 1.5 s of an import,
paid once instead of by every page that shows a median.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Connection, Engine, delete

from dashboard import bulk_write, queries
from dashboard.queries import Filters
from dashboard.store import resolution_time_lists, response_time_lists

_PACKED = np.dtype("<i8")
SEVERITY = "severity"
RESPONSE = "response_business_seconds"
RESOLUTION = "resolution_business_seconds"
_REFRESHED = (
    (response_time_lists, "refresh_response_lists_keys", "refresh_response_lists_times"),
    (resolution_time_lists, "refresh_resolution_lists_keys", "refresh_resolution_lists_times"),
)


class TimeListError(RuntimeError):
    """The lists disagree with the counts they were cut by: a bug, never bad input."""


def pack(seconds: np.ndarray) -> bytes:
    """One list as stored: little-endian int64s, whatever the machine's byte order."""
    return np.asarray(seconds, dtype=_PACKED).tobytes()


def unpack(blobs: list[bytes]) -> np.ndarray:
    """Lists as stored, joined into one array of the machine's int64s."""
    return np.frombuffer(b"".join(blobs), dtype=_PACKED).astype(np.int64)


def refresh_time_lists(connection: Connection) -> None:
    """Rebuild both tables from the cases, in the caller's transaction."""
    for table, keys_query, times_query in _REFRESHED:
        connection.execute(delete(table))
        keys = _rows(connection, keys_query)
        times = _integers(connection, times_query)
        counts = np.fromiter((row[-1] for row in keys), dtype=np.int64, count=len(keys))
        if int(counts.sum()) != times.size:
            raise TimeListError(f"{table.name}: {times.size} times for {int(counts.sum())} cases")
        ends = np.cumsum(counts)
        blobs = [
            pack(times[start:end])
            for start, end in zip((ends - counts).tolist(), ends.tolist(), strict=True)
        ]
        rows = [(*key, blob) for key, blob in zip(keys, blobs, strict=True)]
        bulk_write.insert_tuples(connection, table, [c.name for c in table.c], rows)


def response_times(engine: Engine, filters: Filters) -> dict[str, np.ndarray]:
    """Severity and business response time of every answered case of the filters' period."""
    return _times(queries.rows_of(engine, "response_times", filters=filters), RESPONSE)


def resolution_times(engine: Engine, filters: Filters, as_of: dt.datetime) -> dict[str, np.ndarray]:
    """Severity and business resolution time of every case of the filters' period resolved
    by as_of: the lists' cases less those resolved after as_of (resolved_after.sql)."""
    stored = _times(queries.rows_of(engine, "resolution_times", filters=filters), RESOLUTION)
    later = queries.run_integers(engine, "resolved_after", filters=filters, as_of=as_of)
    if not later[RESOLUTION].size:
        return stored
    severities, kept = [], []
    for level in np.union1d(stored[SEVERITY], later[SEVERITY]).tolist():
        mine = stored[RESOLUTION][stored[SEVERITY] == level]
        left = without(mine, later[RESOLUTION][later[SEVERITY] == level])
        severities.append(np.full(left.size, level, dtype=np.int64))
        kept.append(left)
    return {SEVERITY: np.concatenate(severities), RESOLUTION: np.concatenate(kept)}


def without(values: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """The multiset `values` less `removed` (each removed value taken out once per time it
    is removed); every removed value must be among the values. Sorted."""
    values = np.sort(values)
    if not removed.size:
        return values
    removed = np.sort(removed)
    # the k-th copy of a removed value takes out the k-th copy of it among the values
    copy = np.arange(removed.size) - np.searchsorted(removed, removed, side="left")
    positions = np.searchsorted(values, removed, side="left") + copy
    if positions.size and (
        positions[-1] >= values.size or not np.array_equal(values[positions], removed)
    ):
        raise TimeListError("a case resolved after as-of is in no list")
    keep = np.ones(values.size, dtype=bool)
    keep[positions] = False
    return values[keep]


def _times(rows: list[tuple], column: str) -> dict[str, np.ndarray]:
    by_severity: dict[int, list[bytes]] = {}
    for severity, blob in rows:
        by_severity.setdefault(int(severity), []).append(bytes(blob))
    severities, times = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    for level, blobs in sorted(by_severity.items()):
        seconds = unpack(blobs)
        times.append(seconds)
        severities.append(np.full(seconds.size, level, dtype=np.int64))
    return {SEVERITY: np.concatenate(severities), column: np.concatenate(times)}


def _rows(connection: Connection, name: str) -> list[tuple]:
    """The driver's rows: days stay as each database gives and takes them."""
    result = queries.execute(connection, name)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _integers(connection: Connection, name: str) -> np.ndarray:
    result = queries.execute(connection, name)
    try:
        return queries.integers(result.cursor, connection.dialect.name, name)
    finally:
        result.close()
