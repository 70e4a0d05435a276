"""A per-case format refuses a file that repeats case ids: it looks like an event log.

A per-case export has one row per case. A file with several rows for one case id is an audit
trail or a process-mining log (one row per change). Read one row per case it would keep one
arbitrary row of each case (issue 12: an unsorted log gives a wrong creation time, the first
priority rather than the last, the helpdesk's first verdict rather than its final one) and say
nothing. So the whole file is refused, naming the event-log format that reads it or how to write
one (docs/event-logs.md). An exact duplicate row is refused the same way: the file is not one row
per case, whatever made it so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.errors import UnusableFileError
from dashboard.importer.formats import ExportFormat

_ROWS_SHOWN = 3


class EventLogError(UnusableFileError):
    """A per-case format was given a file whose case ids repeat."""


@dataclass(frozen=True)
class RepeatedCaseIds:
    case_id: str  # the first case id (in file order) that repeats
    rows: tuple[int, ...]  # every spreadsheet row it is on
    others: int  # how many other case ids repeat


def repeated_case_ids(case_id: pd.Series, row_numbers: np.ndarray) -> RepeatedCaseIds | None:
    """The first repeated non-empty case id, its rows, and how many others repeat; None when
    every case id is on one row (empty ones are rejected row by row, as "case_id is empty")."""
    cells = case_id.tolist()
    if len(set(cells)) == len(cells):  # the usual answer, in a third of duplicated()'s time
        return None
    values = case_id.reset_index(drop=True)
    repeated = (values.duplicated(keep=False) & (values != "")).to_numpy()
    if not repeated.any():
        return None
    first = str(values.iloc[int(np.argmax(repeated))])
    rows = np.asarray(row_numbers)[(values == first).to_numpy()]
    others = int(values[repeated].nunique()) - 1
    return RepeatedCaseIds(first, tuple(int(r) for r in rows), others)


def event_log_message(
    file: str, repeated: RepeatedCaseIds, per_case: str, readers: Sequence[ExportFormat]
) -> str:
    """One line: where ids repeat, that the file looks like an event log, and what reads it."""
    if readers:
        remedy = "import it with " + " or ".join(f"--format {f.name}" for f in readers)
    else:
        remedy = 'write a mapping with kind = "events" (see docs/event-logs.md) and use --map FILE'
    return (
        f"{file}: case ids repeat ({_where(repeated)}): this looks like an event log (one row "
        f"per change), which the {per_case} format reads one row per case; {remedy}"
    )


def refuse_repeated_case_ids(
    case_id: pd.Series,
    row_numbers: np.ndarray,
    *,
    file: str,
    per_case: str,
    readers: Sequence[ExportFormat] = (),
) -> None:
    """Raise EventLogError when a case id is on more than one row of a per-case file."""
    repeated = repeated_case_ids(case_id, row_numbers)
    if repeated is not None:
        raise EventLogError(event_log_message(file, repeated, per_case, readers))


def _where(repeated: RepeatedCaseIds) -> str:
    """'INC0045' on rows 2, 3, 4 and 5 more; 299 other case ids repeat too"""
    rows = [f"{r:,}" for r in repeated.rows]
    if len(rows) > _ROWS_SHOWN:
        shown = f"{', '.join(rows[:_ROWS_SHOWN])} and {len(rows) - _ROWS_SHOWN:,} more"
    else:
        shown = f"{', '.join(rows[:-1])} and {rows[-1]}"
    if repeated.others == 1:
        shown += "; 1 other case id repeats too"
    elif repeated.others:
        shown += f"; {repeated.others:,} other case ids repeat too"
    return f"{repeated.case_id!r} on rows {shown}"
