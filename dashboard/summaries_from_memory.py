"""The summaries of an import into an empty database, counted from the cases in memory.

The summaries are rebuilt from the stored cases by queries/refresh_*.sql
(dashboard/summaries.py). When an import writes a database's first cases, every stored case
is one the import holds: every summary table (the daily counts, case_moves, verdict_counts,
their monthly sums, the disagreeing cases) and the cut of every case's times into lists
(time_lists) are counted here from the same values, grouped on integer codes in numpy, in a
thread beside the index build (dashboard/importing.py starts it). What is large to hold (the
disagreeing cases' stored rows, the time lists' rows) is made as it is written, after the
index build. At a million cases on SQLite the summaries took about a second of the import's
main thread instead of four (issue 16: they were most of its gap to a bare read_csv +
to_sql).

Each grouping follows its refresh_*.sql exactly, and tests/test_summaries_from_memory.py
holds the two equal: varied imports into an empty database, then every summary table
compared with what the SQL refresh writes over the same cases, on both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from dashboard import store
from dashboard.bulk_write import insert_rows, iso_days
from dashboard.local_periods import months, quarters, week_starts
from dashboard.reconcile import BASIS_LABELS, VERDICT_LABELS, VERDICTS, helpdesk_verdict_codes
from dashboard.store import DISAGREEMENT_COLUMNS
from dashboard.text import object_frame
from dashboard.time_lists import cut_lists, write_time_lists
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
    # the years calendar_days holds, at most (business_hours.supported_years): a day
    # outside them has no week, month or quarter there
    calendar_years: tuple[int, int]
    # the stored rows of the cases at these positions (verdict_disagreements copies them)
    rows_at: Callable[[np.ndarray], pd.DataFrame]


_STATUSES = np.array([None, *STATUSES], dtype=object)  # StoredCases.status's values
_TEXT = ("customer", "channel", "plan", "dismissal_reason")
# case_moves' key besides the day; every summary keys on these
_DIMENSIONS = ("severity", "customer", "channel", "plan", "source")


def write(connection: Connection, counted: Counted) -> None:
    """Write every summary table (emptied by the caller) as counted."""
    for name, frame in counted.tables.items():
        insert_rows(connection, store.metadata.tables[name], frame)
    write_time_lists(connection, *counted.time_lists)
    # refresh_verdict_disagreements.sql: the disagreeing cases' stored rows, made here a
    # part at a time: in the event-log benchmark nearly half of 147,000 cases disagree, and
    # their rows made while the indexes were built raised its peak by 100 MB (issue 16)
    disagreeing, rows_at = counted.disagreeing
    for start in range(0, len(disagreeing), _DISAGREEING_AT_ONCE):
        rows = rows_at(disagreeing[start : start + _DISAGREEING_AT_ONCE])
        columns = {"day": rows["created_local_date"]}
        columns |= {name: rows[name] for name in DISAGREEMENT_COLUMNS}
        insert_rows(connection, store.verdict_disagreements, object_frame(columns))


_DISAGREEING_AT_ONCE = 20_000


@dataclass
class Counted:
    """Every summary table's rows as counted, ready to be written."""

    tables: dict[str, pd.DataFrame]  # by name: every summary but those below
    # refresh_time_lists_keys.sql's rows and their lists (time_lists.cut_lists), as
    # time_lists.write_time_lists takes them: the tables' rows made beside the index build
    # raised the event-log import's peak by 30 MB (issue 16)
    time_lists: tuple[list[tuple], tuple[list[bytes], list[bytes]]]
    # verdict_disagreements: the positions of its cases, and how to make their stored rows
    disagreeing: tuple[np.ndarray, Callable[[np.ndarray], pd.DataFrame]]


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

    def part(self, name: str, rows: np.ndarray | None = None) -> tuple[np.ndarray, int]:
        codes, distinct = self.text[name]
        return codes if rows is None else codes[rows], len(distinct)

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
    """Every summary and the time lists, from the cases alone (no database: it runs beside
    one, while the database builds the indexes)."""
    columns = _Columns(stored)
    periods = _Periods(columns, stored.calendar_years)
    # refresh_case_counts.sql
    group, one = _groups(
        [(columns.created, columns.days), (columns.dimensions, columns.across),
         columns.part("dismissal_reason"), columns.part("response_status")]
    )  # fmt: skip
    n = len(one)
    answered = np.bincount(group, weights=stored.has_response_time, minlength=n).astype(np.int64)
    resolved = np.bincount(group, weights=stored.has_resolution_time, minlength=n).astype(np.int64)
    cases = np.bincount(group, minlength=n)
    day = columns.created[one]
    counts = object_frame(
        {
            "day": stored.created_day[one],
            "week": periods.week[day],
            "month": periods.month[day],
            "quarter": periods.quarter[day],
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
    verdicts, verdict_groups, disagreeing = _verdict_counts(columns)
    daily = _Groups(one, [(columns.dimensions[one], columns.across),
                          columns.part("dismissal_reason", one),
                          columns.part("response_status", one)],
                    {"cases": cases, "answered": answered, "resolved": resolved})  # fmt: skip
    tables = {
        "case_counts": counts,
        "case_moves": _case_moves(columns, one, cases),
        "verdict_counts": verdicts,
        "case_counts_by_month": _case_counts_by_month(columns, periods, daily),
        "verdict_counts_by_month": _verdict_counts_by_month(columns, periods, verdict_groups),
    }
    keys = _time_list_keys(counts.iloc[timed])
    return Counted(tables=tables, time_lists=(keys, lists),
                   disagreeing=(disagreeing, stored.rows_at))  # fmt: skip


def _time_list_keys(rows: pd.DataFrame) -> list[tuple]:
    """refresh_time_lists_keys.sql's rows: case_counts' key, then the month and the counts."""
    columns = [iso_days(rows["day"].to_numpy())]
    columns += [rows[name].tolist() for name in _COUNT_KEY[1:]]
    columns += [rows[name].tolist() for name in ("month", "answered", "resolved")]
    return list(zip(*columns, strict=True))


class _Periods:
    """Each day's week, month and quarter as calendar_days holds them (by the day's code in
    _Columns.created), None where it holds no row (refresh_case_counts.sql then leaves them
    NULL, which the columns refuse); `month_code`: the months numbered from the first."""

    def __init__(self, columns: _Columns, years: tuple[int, int]) -> None:
        days = (np.arange(columns.days) + columns.first_day).astype("datetime64[D]")
        year = days.astype("datetime64[Y]").astype(np.int64) + 1970
        self.held = (year >= years[0]) & (year <= years[1])
        self.week = np.where(self.held, week_starts(days), np.datetime64("NaT"))
        self.month = np.where(self.held, months(days), None)
        self.quarter = np.where(self.held, quarters(days), None)
        month = days.astype("datetime64[M]").astype(np.int64)
        self.month_code = month - month[0]
        self.months = int(self.month_code[-1]) + 1


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


@dataclass
class _Groups:
    """The groups of a daily summary: a case of each (`at`), the codes of each group's key
    but its day (as _groups takes them) and the sums of its counts by name."""

    at: np.ndarray
    parts: list[tuple[np.ndarray, int]]
    sums: dict[str, np.ndarray]


def _verdict_counts(columns: _Columns) -> tuple[pd.DataFrame, _Groups | None, np.ndarray]:
    """refresh_verdict_counts.sql: every case but the unanswered ones with responses recorded,
    by its key, our verdict and the helpdesk's (queries/_helpdesk_verdict.sql); with its
    groups and the positions of the cases refresh_verdict_disagreements.sql keeps: our
    verdict and the helpdesk's both met or breached, and not the same, of a case not
    dismissed."""
    stored = columns.stored
    rows = np.flatnonzero((stored.status > 0) | ~stored.response_recorded)
    if not len(rows):
        return pd.DataFrame(), None, rows
    verdict, basis = _helpdesk_verdicts(stored, rows)
    reasons, distinct_reasons = columns.text["dismissal_reason"]
    dismissed = np.array([value is not None for value in distinct_reasons], dtype=np.int8)
    dismissed = dismissed[reasons[rows]]
    recorded = stored.response_recorded[rows].astype(np.int8)
    ours = _STATUS_VERDICTS[stored.status[rows]]
    disagreeing = rows[(ours > 0) & (verdict > 0) & (ours != verdict) & (dismissed == 0)]
    parts = [(columns.dimensions[rows], columns.across), (stored.status[rows], len(_STATUSES)),
             (verdict, len(VERDICT_LABELS)), (basis, len(BASIS_LABELS)), (dismissed, 2),
             (recorded, 2)]  # fmt: skip
    group, one = _groups([(columns.created[rows], columns.days), *parts])
    at, cases = rows[one], np.bincount(group, minlength=len(one))
    frame = object_frame(
        {
            "day": stored.created_day[at],
            **columns.key(at, (*_DIMENSIONS, "response_status")),
            "helpdesk_verdict": VERDICT_LABELS[verdict[one]],
            "helpdesk_basis": BASIS_LABELS[basis[one]],
            "dismissed": dismissed[one].astype(np.int64),
            "response_recorded": stored.response_recorded[at],
            "cases": cases,
        }
    )
    groups = _Groups(at, [(codes[one], size) for codes, size in parts], {"cases": cases})
    return frame, groups, disagreeing


# Each stored response_status (StoredCases.status) as a verdict: its code into VERDICT_LABELS,
# 0 for none (unanswered, pending, invalid, unscored)
_STATUS_VERDICTS = np.array([VERDICTS.index(status) + 1 if status in VERDICTS else 0
                             for status in _STATUSES.tolist()], dtype=np.int8)  # fmt: skip


def _monthly(columns: _Columns, periods: _Periods, daily: _Groups) -> tuple[np.ndarray, ...]:
    """A daily summary's groups summed by month (refresh_*_by_month.sql): (a row of `daily`
    of each, the code of its earliest day, the sums), the groups in code order."""
    day = columns.created[daily.at]
    group, one = _groups([(periods.month_code[day], periods.months), *daily.parts])
    earliest = np.full(len(one), columns.days, dtype=day.dtype)
    np.minimum.at(earliest, group, day)
    sums = {name: np.bincount(group, weights=values, minlength=len(one)).astype(np.int64)
            for name, values in daily.sums.items()}  # fmt: skip
    return one, earliest, sums


def _case_counts_by_month(columns: _Columns, periods: _Periods, daily: _Groups) -> pd.DataFrame:
    """refresh_case_counts_by_month.sql: case_counts summed by month."""
    one, earliest, sums = _monthly(columns, periods, daily)
    return object_frame(
        {
            "day": (earliest + columns.first_day).astype("datetime64[D]"),
            "month": periods.month[earliest],
            "quarter": periods.quarter[earliest],
            **columns.key(daily.at[one], _COUNT_KEY[1:]),
            **sums,
        }
    )


def _verdict_counts_by_month(
    columns: _Columns, periods: _Periods, daily: _Groups | None
) -> pd.DataFrame:
    """refresh_verdict_counts_by_month.sql: verdict_counts summed by month, of the days
    calendar_days holds (the query joins it)."""
    if daily is None:
        return pd.DataFrame()
    held = periods.held[columns.created[daily.at]]
    daily = _Groups(daily.at[held], [(codes[held], size) for codes, size in daily.parts],
                    {name: values[held] for name, values in daily.sums.items()})  # fmt: skip
    one, earliest, sums = _monthly(columns, periods, daily)
    at = daily.at[one]
    (_, _), (_, _), (verdict, _), (basis, _), (dismissed, _), (_, _) = daily.parts
    return object_frame(
        {
            "day": (earliest + columns.first_day).astype("datetime64[D]"),
            **columns.key(at, (*_DIMENSIONS, "response_status")),
            "helpdesk_verdict": VERDICT_LABELS[verdict[one]],
            "helpdesk_basis": BASIS_LABELS[basis[one]],
            "dismissed": dismissed[one].astype(np.int64),
            "response_recorded": columns.stored.response_recorded[at],
            **sums,
        }
    )


def _helpdesk_verdicts(stored: StoredCases, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """reconcile.helpdesk_verdict_codes at `rows`: codes into VERDICT_LABELS and BASIS_LABELS."""
    return helpdesk_verdict_codes(
        pd.Series(stored.vendor_sla[rows], dtype=object),
        pd.Series(stored.vendor_business_minutes[rows] * 60),
        pd.Series(stored.target_seconds[rows]),
    )
