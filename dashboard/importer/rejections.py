"""A file whose every row was rejected is refused, in one line: the most common reason and
what to try.

An import that would store nothing is almost always a file read the wrong way (dates in
another order or pattern, a column not where the format looks, severities it does not know);
ending it with "0 inserted" and exit status 0 is silently wrong (issue 12). The CLI and the
Import page refuse it before anything is written, naming the reason most rows share and the
option that usually fixes it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dashboard.errors import DashboardError
from dashboard.importer.prepare import PreparedFile
from dashboard.importer.readers import Reject

# A quoted value as the reasons quote them (Python's repr: 'x', or "x" when x holds a quote).
_QUOTED = re.compile(r"'[^'\\]*(?:\\.[^'\\]*)*'|\"[^\"\\]*(?:\\.[^\"\\]*)*\"")
# Unquoted numbers and instants (a level, a year, 2206-01-01T00:00:00Z, a length).
_NUMBER = re.compile(r"\d[\d,.:+\-TZ]*")
_TIME_FIELDS = ("created_at", "first_response_at", "resolved_at", "event_at")
# A reason that only points at another row's reject (an event log refuses every event of a
# case that lost one: importer/histories.py): that row's own reason is the one to name.
_ECHO = re.compile(r"\(row #\) was rejected$")

DATES_HINT = (
    "check the dates (--date-order DMY|MDY, or --map FILE with their timestamp format) or the "
    "format (--format NAME)"
)
SEVERITY_HINT = "check the severity labels (the format's [severity] labels, or --map FILE)"
COLUMNS_HINT = "check the columns (--map FILE) or the format (--format NAME)"


class NothingStoredError(DashboardError):
    """Every row of a file was rejected: importing it would store nothing."""


@dataclass(frozen=True)
class CommonReason:
    text: str  # as the first row giving it words it, its value included
    rows: int  # how many rows give it


def most_common_reason(rejects: Sequence[Reject]) -> CommonReason | None:
    """The reason most rows share. A row's reasons are joined with '; '; each counts once per
    row, compared with its values left out, so "created_at '29/2/2016 01:16' is not a valid
    date-time" and the same for another date are one reason. Ties go to the one seen first;
    a reason that only echoes another row's reject counts when there is no other."""
    counts: Counter[str] = Counter()
    # Rows often share their whole text (the same bad value): each distinct text is read once.
    distinct = Counter(reject.reason for reject in rejects)
    for joined, rows in distinct.items():
        for key in dict.fromkeys(_keys(joined)):
            counts[key] += rows
    if not counts:
        return None
    causes = Counter({k: n for k, n in counts.items() if not _ECHO.search(k)}) or counts
    key, rows = causes.most_common(1)[0]
    # The winner in words, values included, from the first row giving it (a stray quote
    # mark that pairs differently in a piece leaves the words without values).
    text = next((t for joined in distinct for k, t in _pieces(joined) if k == key), key)
    return CommonReason(text, rows)


def hint(reason: str) -> str:
    """What usually fixes a file whose rows all give this reason."""
    field = reason.split(" ", 1)[0]
    if reason.endswith(" is empty"):  # a required column missing, or not where it is looked for
        return COLUMNS_HINT
    if field in _TIME_FIELDS or reason.startswith("its response deadline"):
        return DATES_HINT
    if field == "severity":
        return SEVERITY_HINT
    return COLUMNS_HINT


def nothing_stored_message(prepared: PreparedFile) -> str | None:
    """Why the file would store nothing (every row rejected), or None when it stores cases
    (or has no rows at all, which is no one's mistake to point at)."""
    validated = prepared.validated
    if len(validated.cases) or not validated.rejects:
        return None
    count = validated.read  # rows, several a case in an event log
    rejected = f"all {count:,} rows were rejected" if count > 1 else "its only row was rejected"
    message = f"{prepared.path}: nothing stored: {rejected}"
    common = most_common_reason(validated.rejects)
    if common is None:  # every reject gives a reason; this is only a safeguard
        return f"{message}; {COLUMNS_HINT}"
    rows = f"{common.rows:,} row{'s' if common.rows > 1 else ''}"
    return f"{message}; most common reason ({rows}): {common.text}; {hint(common.text)}"


def refuse_if_nothing_stored(prepared: Iterable[PreparedFile]) -> None:
    """Raise NothingStoredError for the first file that would store nothing: one such file
    refuses the whole import (a failed import changes nothing)."""
    for item in prepared:
        message = nothing_stored_message(item)
        if message is not None:
            raise NothingStoredError(message)


def _keys(joined: str) -> list[str]:
    """A row's reasons without their values, quoted ones (which may hold '; ') removed first."""
    return _NUMBER.sub("#", _QUOTED.sub("…", joined)).split("; ")


def _pieces(joined: str) -> list[tuple[str, str]]:
    """A row's reasons as (key, text): split on '; ' outside quoted values."""
    masked = _QUOTED.sub(lambda m: "\0" * len(m.group()), joined)
    ends = [*(m.start() for m in re.finditer("; ", masked)), len(joined)]
    starts = [0, *(end + 2 for end in ends[:-1])]
    return [(_keys(joined[a:b])[0], joined[a:b]) for a, b in zip(starts, ends, strict=True)]
