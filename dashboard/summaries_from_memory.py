"""The summaries of an import into an empty database, counted from the cases in memory.

The summaries are rebuilt from the stored cases by queries/refresh_*.sql
(dashboard/summaries.py). When an import writes a database's first cases, every stored case
is one the import holds: the summaries that sort every case in SQL (case_counts, case_moves'
closings, verdict_counts) and the cut of every case's times into lists (time_lists) are
counted here from the same values, grouped on integer codes in numpy, in a thread beside
the index build (dashboard/importing.py starts it). At a million cases on SQLite they took
about one second of the import instead of four (issue 16: the import's summaries were most
of its gap to a bare read_csv + to_sql). The monthly tables and the disagreements are still
refreshed by their SQL, from these tables and the stored cases.

Each grouping follows its refresh_*.sql exactly, and tests/test_summaries_from_memory.py
holds the two equal: varied imports into an empty database, then every summary table
compared with what the SQL refresh writes over the same cases, on both databases.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from dashboard.bulk_write import insert_rows, iso_days
from dashboard.reconcile import BASIS_LABELS, VERDICT_LABELS, helpdesk_verdict_codes
from dashboard.store import calendar_days, case_counts, case_moves, verdict_counts
from dashboard.text import object_frame
from dashboard.time_lists import cut_lists
from dashboard.vocabulary import STATUSES


@dataclass(frozen=True)
class StoredCases:
    """What the summaries read of each case as stored (dashboard/importing.py makes it with
    the helpers that make the rows): text as imported, '' where NULL is stored; NaT, NaN or
    a mask where a date, a number or a time is NULL. Views of the import's arrays where it
    can: a million cases are counted beside the index build, and its memory."""

    created_day: np.ndarray  # datetime64[D]: created_local_date
    resolved_day: np.ndarray  # datetime64[D], NaT: resolved_local_date
    severity: np.ndarray  # integers
    customer: np.ndarray  # object
    channel: np.ndarray
    plan: np.ndarray
    dismissal_reason: np.ndarray
    # response_status: 0 where NULL (unanswered), else 1 + its code into STATUSES
    status: np.ndarray
    source: str  # one import: one source
    vendor_sla: np.ndarray
    vendor_business_minutes: np.ndarray  # float64, NaN
    target_seconds: np.ndarray  # integers
    response_recorded: np.ndarray  # bool
    has_response_time: np.ndarray  # bool: response_business_seconds is not NULL
    response_seconds: np.ndarray  # int64: its value where it is
    has_resolution_time: np.ndarray  # bool: resolution_business_seconds is not NULL
    resolution_seconds: np.ndarray  # int64: its value where it is


_STATUSES = np.array([None, *STATUSES], dtype=object)  # StoredCases.status's values
_TEXT = ("customer", "channel", "plan", "dismissal_reason")
# case_moves' key besides the day; every summary keys on these
_DIMENSIONS = ("severity", "customer", "channel", "plan", "source")


def write(connection: Connection, counted: Counted) -> tuple[list[tuple], tuple]:
    """Write case_counts, case_moves and verdict_counts (emptied by the caller) as counted;
    returns the time lists' keys as dashboard/time_lists.py reads them from SQL
    (refresh_time_lists_keys.sql's rows) and their lists (time_lists.cut_lists)."""
    counted.finish(connection)
    insert_rows(connection, case_counts, counted.case_counts)
    insert_rows(connection, case_moves, counted.case_moves)
    insert_rows(connection, verdict_counts, counted.verdict_counts)
    return counted.keys, counted.lists


@dataclass
class Counted:
    """The summaries counted, before the calendar's week, month and quarter of each day."""

    case_counts: pd.DataFrame
    case_moves: pd.DataFrame
    verdict_counts: pd.DataFrame
    lists: tuple[list[bytes], list[bytes]]  # the time lists of the rows of `keys`
    timed: np.ndarray  # the rows of case_counts with a time, in its order
    keys: list[tuple] = dataclasses.field(default_factory=list)

    def finish(self, connection: Connection) -> None:
        """Each day's week, month and quarter from calendar_days, as refresh_case_counts.sql
        joins them (refreshed first): a day it lacks gets None, which the columns refuse."""
        frame = self.case_counts
        week, month, quarter = _calendar(connection, frame["day"].to_numpy())
        frame.insert(1, "week", week)
        frame.insert(2, "month", pd.Series(month, dtype=object))
        frame.insert(3, "quarter", pd.Series(quarter, dtype=object))
        # refresh_time_lists_keys.sql: the keys with a time, then the month and the counts
        rows = frame.iloc[self.timed]
        columns = [iso_days(rows["day"].to_numpy())]
        columns += [rows[name].tolist() for name in _COUNT_KEY[1:]]
        columns += [rows[name].tolist() for name in ("month", "answered", "resolved")]
        self.keys = list(zip(*columns, strict=True))


# case_counts' key, in refresh_case_counts.sql's grouping (and time_lists' key)
_COUNT_KEY = ("day", "severity", "customer", "channel", "plan", "dismissal_reason",
              "response_status", "source")  # fmt: skip


class _Columns:
    """The cases' columns as small integer codes, made once for every summary."""

    def __init__(self, stored: StoredCases) -> None:
        self.stored = stored
        self.text = {name: _codes(getattr(stored, name)) for name in _TEXT}
        self.text["response_status"] = (stored.status, _STATUSES)
        self.first_day = int(stored.created_day.min().astype(np.int64))
        days = stored.created_day.astype(np.int64)
        days -= self.first_day
        self.created = days.astype(np.int32)  # days since the first: groups come by day
        self.days = int(self.created.max()) + 1
        del days
        # one code per case for its dimensions (the source is one)
        parts = [(stored.severity, int(stored.severity.max()) + 1)]
        parts += [self.part(name) for name in ("customer", "channel", "plan")]
        dimensions, one = _groups(parts)
        self.dimensions, self.across = dimensions.astype(np.int32), len(one)

    def part(self, name: str) -> tuple[np.ndarray, int]:
        codes, distinct = self.text[name]
        return codes, len(distinct)

    def key(self, rows: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """The named key columns' stored values at `rows`."""
        columns = {}
        for name in names:
            if name == "severity":
                columns[name] = self.stored.severity[rows].astype(np.int64)
            elif name == "source":
                columns[name] = np.full(len(rows), self.stored.source, dtype=object)
            else:
                codes, distinct = self.text[name]
                columns[name] = distinct[codes[rows]]
        return columns


def count(stored: StoredCases) -> Counted:
    """The three summaries and the time lists' order, from the cases alone (no database:
    it runs beside one, while the database builds the indexes)."""
    columns = _Columns(stored)
    # refresh_case_counts.sql
    group, one = _groups(
        [(columns.created, columns.days), (columns.dimensions, columns.across),
         columns.part("dismissal_reason"), columns.part("response_status")]
    )  # fmt: skip
    n = len(one)
    answered = np.bincount(group, weights=stored.has_response_time, minlength=n).astype(np.int64)
    resolved = np.bincount(group, weights=stored.has_resolution_time, minlength=n).astype(np.int64)
    cases = np.bincount(group, minlength=n)
    counts = object_frame(
        {
            "day": stored.created_day[one],
            **columns.key(one, _COUNT_KEY[1:]),
            "cases": cases,
            "answered": answered,
            "resolved": resolved,
        }
    )
    timed = np.flatnonzero((answered > 0) | (resolved > 0))
    lists = cut_lists(answered[timed], resolved[timed], _times_in_order(stored, group),
                      "the cases counted in memory")  # fmt: skip
    del group
    return Counted(
        case_counts=counts,
        case_moves=_case_moves(columns, one, cases),
        verdict_counts=_verdict_counts(columns),
        lists=lists,
        timed=timed,
    )


def _times_in_order(stored: StoredCases, group: np.ndarray) -> np.ndarray:
    """refresh_time_lists_times.sql: each case's two times (-1 for none) where it has one,
    by the case_counts row it belongs to."""
    timed = np.flatnonzero(stored.has_response_time | stored.has_resolution_time)
    timed = timed[np.argsort(group[timed], kind="stable")]
    times = np.full((len(timed), 2), -1, dtype=np.int64)
    both = ((stored.has_response_time, stored.response_seconds),
            (stored.has_resolution_time, stored.resolution_seconds))  # fmt: skip
    for column, (has, seconds) in enumerate(both):
        present = has[timed]
        times[present, column] = seconds[timed[present]]
    return times


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code of each value, the distinct values): a text column as stored, '' and a missing
    value both NULL (None), one code."""
    codes, distinct = pd.factorize(values)  # -1 for a missing value
    stored = np.asarray([None, *distinct], dtype=object)
    stored[stored == ""] = None
    merged, kept = pd.factorize(stored, use_na_sentinel=False)  # None twice: one code
    kept = np.asarray(kept, dtype=object)
    kept[pd.isna(kept)] = None
    codes += 1
    return merged.astype(np.min_scalar_type(len(kept)))[codes], kept


def _groups(parts) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by their codes (each with how many values it may take), the first code
    most significant: (group of each row, a row of each group), groups in code order."""
    rows = len(parts[0][0])
    combined, span = np.zeros(rows, dtype=np.int64), 1
    for codes, size in parts:
        size = max(int(size), 1)
        if span * size >= 2**62:  # would overflow: number what is combined so far again
            combined, span = _ranks(combined)
        combined *= size
        combined += codes
        span *= size
    group, groups = _ranks(combined)
    del combined
    one = np.empty(groups, dtype=np.int64)
    one[group] = np.arange(rows)
    return group, one


def _ranks(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Each value's rank among the distinct values, and how many there are (hashed, then
    only the distinct values sorted: a million values in a tenth of a sort's time)."""
    codes, distinct = pd.factorize(values)
    rank = np.empty(len(distinct), dtype=codes.dtype)
    rank[np.argsort(distinct)] = np.arange(len(distinct))
    return np.take(rank, codes, out=codes), len(distinct)


def _calendar(connection: Connection, days: np.ndarray):
    columns = calendar_days.c
    table = connection.execute(select(columns.day, columns.week, columns.month, columns.quarter))
    found = {np.datetime64(day, "D"): (week, month, quarter) for day, week, month, quarter in table}
    distinct, position = np.unique(days, return_inverse=True)
    looked_up = [found.get(day, (None, None, None)) for day in distinct]
    weeks = np.array([np.datetime64(week or "NaT", "D") for week, _, _ in looked_up])
    months = np.array([m for _, m, _ in looked_up], dtype=object)
    quarters = np.array([q for _, _, q in looked_up], dtype=object)
    position = position.reshape(-1)
    return weeks[position], months[position], quarters[position]


def _case_moves(columns: _Columns, counted: np.ndarray, cases: np.ndarray) -> pd.DataFrame:
    """refresh_case_moves.sql: the cases opened each day, summed from case_counts' rows (a
    case of each: `counted`, and its count of cases), and closed: a resolved case on its
    resolved day, or on its created day when resolved before it."""
    stored = columns.stored
    resolved = np.flatnonzero(~np.isnat(stored.resolved_day))
    closing = stored.resolved_day[resolved].astype(np.int64)
    closing -= columns.first_day
    np.maximum(closing, columns.created[resolved], out=closing)
    behind = np.concatenate([counted, resolved])  # the case behind each opening and closing
    days = np.concatenate([columns.created[counted], closing])
    del closing
    span = max(columns.days, int(days.max()) + 1)
    group, one = _groups([(days, span), (columns.dimensions[behind], columns.across)])
    n, openings = len(one), len(counted)
    return object_frame(
        {
            "day": (days[one] + columns.first_day).astype("datetime64[D]"),
            **columns.key(behind[one], _DIMENSIONS),
            "opened": np.bincount(group[:openings], weights=cases, minlength=n).astype(np.int64),
            "closed": np.bincount(group[openings:], minlength=n),
        }
    )


def _verdict_counts(columns: _Columns) -> pd.DataFrame:
    """refresh_verdict_counts.sql: every case but the unanswered ones with responses recorded,
    by its key, our verdict and the helpdesk's (queries/_helpdesk_verdict.sql)."""
    stored = columns.stored
    rows = np.flatnonzero((stored.status > 0) | ~stored.response_recorded)
    if not len(rows):
        return pd.DataFrame()
    verdict, basis = _helpdesk_verdicts(stored, rows)
    reasons, distinct_reasons = columns.text["dismissal_reason"]
    dismissed = np.array([value is not None for value in distinct_reasons], dtype=np.int8)
    dismissed = dismissed[reasons[rows]]
    recorded = stored.response_recorded[rows].astype(np.int8)
    group, one = _groups(
        [(columns.created[rows], columns.days), (columns.dimensions[rows], columns.across),
         (stored.status[rows], len(_STATUSES)), (verdict, len(VERDICT_LABELS)),
         (basis, len(BASIS_LABELS)), (dismissed, 2), (recorded, 2)]
    )  # fmt: skip
    at = rows[one]
    return object_frame(
        {
            "day": stored.created_day[at],
            **columns.key(at, (*_DIMENSIONS, "response_status")),
            "helpdesk_verdict": VERDICT_LABELS[verdict[one]],
            "helpdesk_basis": BASIS_LABELS[basis[one]],
            "dismissed": dismissed[one].astype(np.int64),
            "response_recorded": stored.response_recorded[at],
            "cases": np.bincount(group, minlength=len(one)),
        }
    )


def _helpdesk_verdicts(stored: StoredCases, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """reconcile.helpdesk_verdict_codes at `rows`: codes into VERDICT_LABELS and BASIS_LABELS."""
    return helpdesk_verdict_codes(
        pd.Series(stored.vendor_sla[rows], dtype=object),
        pd.Series(stored.vendor_business_minutes[rows] * 60),
        pd.Series(stored.target_seconds[rows]),
    )
