"""Every case's business response and resolution time, kept in lists per summary key.

Exact medians and percentiles need each case's time, and a period of a million cases read
one row per case cost half a second in the driver alone (the database's own scan is a fifth of
that). The summaries' refresh (dashboard/summaries.py) therefore packs the times of each key
of case_counts (created day, severity, customer, channel, plan, dismissal, stored verdict,
source: what the filters choose) into two lists, stored as little-endian int64s in table
time_lists. A period's times are then a few lists per day, joined in numpy: the same values,
in another order, which no percentile depends on.

Building them reads each case's two times once more, in the order of ix_cases_by_day (no
sort), and cuts the times into lists by the counts case_counts keeps of them (answered,
resolved): no key crosses the driver once per case. The day's lists are then joined per
month and the dimensions the filters choose into time_lists_by_month, from which a period
reads its whole months (queries/_time_lists_of_period.sql): a year at 1M cases is then 1,000
lists, not 63,000.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import Connection, Engine, delete

from dashboard import bulk_write, queries
from dashboard.queries import Filters
from dashboard.store import time_lists, time_lists_by_month

_PACKED = np.dtype("<i8")
SEVERITY = "severity"
RESPONSE = "response_business_seconds"
RESOLUTION = "resolution_business_seconds"


class TimeListError(RuntimeError):
    """The lists disagree with the counts they were cut by: a bug, never bad input."""


def pack(seconds: np.ndarray) -> bytes:
    """One list as stored: little-endian int64s, whatever the machine's byte order."""
    return np.asarray(seconds, dtype=_PACKED).tobytes()


def unpack(blobs: list[bytes]) -> np.ndarray:
    """Lists as stored, joined into one array of the machine's int64s."""
    return np.frombuffer(b"".join(blobs), dtype=_PACKED).astype(np.int64)


def refresh_time_lists(connection: Connection) -> None:
    """Rebuild tables time_lists and time_lists_by_month from the cases, in the caller's
    transaction, after case_counts (whose keys and counts they follow)."""
    connection.execute(delete(time_lists))
    connection.execute(delete(time_lists_by_month))
    keys = _rows(connection, "refresh_time_lists_keys")
    if not keys:
        return
    # the keys' last two columns: how many response and resolution times each has
    counts = [
        np.fromiter((row[c] for row in keys), dtype=np.int64, count=len(keys)) for c in (-2, -1)
    ]
    # each case's response and resolution time, -1 for a missing one (stored times are
    # never negative; one that were would leave its list short: cut_lists refuses it)
    times = _integers(connection, "refresh_time_lists_times")
    write_time_lists(connection, keys, cut_lists(*counts, times, "refresh_time_lists_times.sql"))


def cut_lists(
    answered: np.ndarray, resolved: np.ndarray, times: np.ndarray, read_by: str
) -> tuple[list[bytes], list[bytes]]:
    """Each key's response and resolution list, packed: `times` holds each case's two times
    (-1 for a missing one) in the keys' order, `answered` and `resolved` how many of each a
    key has (case_counts' counts). `read_by` names what read the times, for an error."""
    both = times.reshape(-1, 2)
    responses, resolutions = (
        _cut(both[:, column][both[:, column] >= 0], counts, read_by)
        for column, counts in ((0, answered), (1, resolved))
    )
    return responses, resolutions


def write_time_lists(
    connection: Connection, keys: list[tuple], lists: tuple[list[bytes], list[bytes]]
) -> None:
    """Tables time_lists and time_lists_by_month (emptied) from refresh_time_lists_keys.sql's
    rows and their lists (cut_lists), as SQL reads them or dashboard/summaries_from_memory.py
    counts them."""
    if not keys:
        return
    # refresh_time_lists_keys.sql reads case_counts' key in the order of the table's columns,
    # then the month and the two counts
    rows = [(*key[:-3], response, resolution)
            for key, response, resolution in zip(keys, *lists, strict=True)]  # fmt: skip
    bulk_write.insert_tuples(connection, time_lists, [c.name for c in time_lists.c], rows)
    by_month = _by_month(rows, [key[-3] for key in keys])
    names = [c.name for c in time_lists_by_month.c]
    bulk_write.insert_tuples(connection, time_lists_by_month, names, by_month)


def _by_month(rows: list[tuple], months: list[str]) -> list[tuple]:
    """time_lists' rows (in day order) joined per month and the dimensions the filters
    choose: (earliest day, severity, customer, channel, plan, source, lists)."""
    grouped: dict[tuple, tuple] = {}
    for row, month in zip(rows, months, strict=True):
        day, severity, customer, channel, plan, _, _, source, response, resolution = row
        key = (month, severity, customer, channel, plan, source)
        found = grouped.get(key)
        if found is None:  # the rows come by day: the first is the month's earliest
            grouped[key] = (day, [response], [resolution])
        else:
            found[1].append(response)
            found[2].append(resolution)
    return [(day, *key[1:], b"".join(responses), b"".join(resolutions))
            for key, (day, responses, resolutions) in grouped.items()]  # fmt: skip


def _cut(times: np.ndarray, counts: np.ndarray, query: str) -> list[bytes]:
    """`times` packed into one list per count, in order (packed once, then cut as bytes)."""
    if int(counts.sum()) != times.size:
        raise TimeListError(f"{query} read {times.size} times for {int(counts.sum())} cases")
    packed = pack(times)
    ends = np.cumsum(counts) * _PACKED.itemsize
    starts = ends - counts * _PACKED.itemsize
    return [packed[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]


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
    """(severity, list) rows -> one severity and one time per case, in the rows' order."""
    blobs = [blob for _, blob in rows]
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // _PACKED.itemsize
    levels = np.fromiter((level for level, _ in rows), dtype=np.int64, count=len(rows))
    return {SEVERITY: np.repeat(levels, lengths), column: unpack(blobs)}


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
