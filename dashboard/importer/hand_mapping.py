"""Mapping an export by hand: what the Import page asks of a file no format knows, and the
mapping its answers make.

The page asks which header holds each field (with a first guess by name), which cells mean
"empty", which level each severity label means (with a first guess from the policy's own
spellings), and how timestamps are written; for an event log (one row per event) also what
event_mapping.py asks. The answers become MappingChoices, which new_format turns into a format
file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.importer.event_mapping import (
    EVENT_COLUMN_LABELS,
    EventAnswers,
    ValuesQuestion,
    distinct_values,
    event_choices,
    values_question,
)
from dashboard.importer.formats import EVENT_REQUIRED_FIELDS, FIELDS, REQUIRED_FIELDS
from dashboard.importer.new_format import (
    EVENT_COLUMNS,
    MappingChoices,
    suggest_columns,
    suggest_event_columns,
)
from dashboard.importer.readers import RawTable
from dashboard.policy import Policy
from dashboard.severity_labels import parse_severity
from dashboard.timestamps import ISO8601

NOT_IN_FILE = "(not in this file)"  # the answer for a field the export lacks
MAX_LABELS = 40  # distinct severity values offered for mapping; more means a wrong column
DEFAULT_ZONE = "local"  # naive times are in the policy's zone
# Cells exports write for "no value" (process-mining logs: NULL): offered when the file has them.
NULL_MARKERS = ("NULL", "(null)", "N/A", "#N/A", "(none)", "?")
_NULL_SAMPLE_ROWS = 10_000  # rows looked at for them


@dataclass(frozen=True)
class ColumnQuestion:
    field: str
    label: str  # the field, marked when required
    preselected: int  # position of the guessed header among the options (0: not in this file)


@dataclass(frozen=True)
class LabelQuestion:
    label: str  # a severity value as the export writes it
    preselected: int | None  # position of the level it seems to name, or None: no guess


@dataclass(frozen=True)
class SeverityQuestion:
    """Which level each distinct value of the severity column means."""

    column: str
    labels: tuple[LabelQuestion, ...] = ()
    levels: tuple[int, ...] = ()  # the policy's levels, the options offered for each label
    level_names: Mapping[int, str] = field(default_factory=dict)  # level -> "Level 1 - Urgent"
    problem: str | None = None  # why no label is asked (the column is not a severity)


@dataclass(frozen=True)
class MappingAnswer:
    choices: MappingChoices | None  # None until nothing is missing
    still_needed: tuple[str, ...] = ()


@dataclass(frozen=True)
class MappingQuestions:
    """What the form asks of one file; `table` is the file read with its first non-blank row as
    the header."""

    table: RawTable
    columns: tuple[ColumnQuestion, ...]
    column_options: tuple[str, ...]  # NOT_IN_FILE, then the file's headers
    default_name: str
    default_zone: str = DEFAULT_ZONE
    default_timestamp_format: str = ISO8601
    # An event log's time, sequence and activity columns.
    event_columns: tuple[ColumnQuestion, ...] = ()
    # The first guess at "one row per event": the case id guessed repeats.
    looks_like_event_log: bool = False
    default_null_values: str = ""  # the NULL_MARKERS the file has, comma-separated

    def column_questions(self, *, event_log: bool) -> tuple[ColumnQuestion, ...]:
        """The fields asked: an event log's creation is optional (its first event creates the
        case) and its first response comes from its events, not from a column."""
        if not event_log:
            return self.columns
        return tuple(
            dataclasses.replace(q, label=q.field) if q.field == "created_at" else q
            for q in self.columns
            if q.field != "first_response_at"
        )

    def severity(
        self, columns: Mapping[str, str], policy: Policy, *, null_values: str = ""
    ) -> SeverityQuestion | None:
        """The labels of the column chosen for severity, or None while none is chosen."""
        column = columns.get("severity", NOT_IN_FILE)
        if column == NOT_IN_FILE:
            return None
        distinct = distinct_values(self.table.frame, column, parse_null_values(null_values))
        if len(distinct) > MAX_LABELS:
            return SeverityQuestion(
                column=column,
                problem=f"{column!r} holds {len(distinct)} different values: choose the column "
                "that holds the priority or severity",
            )
        guesses, _ = parse_severity(pd.Series(distinct, dtype=object), policy)
        levels = tuple(s.level for s in policy.severities)
        return SeverityQuestion(
            column=column,
            labels=tuple(
                LabelQuestion(label, levels.index(int(guess)) if int(guess) in levels else None)
                for label, guess in zip(distinct, guesses, strict=True)
            ),
            levels=levels,
            level_names={s.level: f"Level {s.level} - {s.name}" for s in policy.severities},
        )

    def activities(
        self, event_columns: Mapping[str, str], *, null_values: str = ""
    ) -> ValuesQuestion | None:
        """The rules asked of the activity column's values, or None while none is chosen."""
        return self._values(event_columns.get("activity", NOT_IN_FILE), "activity", null_values)

    def statuses(
        self, columns: Mapping[str, str], *, null_values: str = ""
    ) -> ValuesQuestion | None:
        """The rules asked of the status column's values, or None while none is chosen."""
        return self._values(columns.get("status", NOT_IN_FILE), "status", null_values)

    def _values(self, column: str, of: str, null_values: str) -> ValuesQuestion | None:
        if column == NOT_IN_FILE:
            return None
        return values_question(
            self.table.frame, column, of=of, null_values=parse_null_values(null_values)
        )

    def answer(
        self,
        *,
        columns: Mapping[str, str],
        levels: Mapping[str, int | None],
        timestamp_format: str,
        zone: str,
        name: str,
        null_values: str = "",
        events: EventAnswers | None = None,
    ) -> MappingAnswer:
        """The mapping the answers make, or what is still needed. `columns`: field -> header
        (or NOT_IN_FILE); `levels`: each severity label asked -> its level (None: unanswered);
        `events`: what the form says of an event log (None: one row per case)."""
        asked = {q.field for q in self.column_questions(event_log=events is not None)}
        chosen = {
            f: header for f, header in columns.items() if header != NOT_IN_FILE and f in asked
        }
        required = REQUIRED_FIELDS if events is None else EVENT_REQUIRED_FIELDS
        missing = [f for f in required if f not in chosen]
        rules = None
        if events is not None:
            rules, needed = event_choices(events, not_in_file=NOT_IN_FILE,
                                          has_status="status" in chosen)  # fmt: skip
            missing += needed
        unmapped = [label for label, level in levels.items() if level is None]
        if unmapped:
            missing.append("a level for " + ", ".join(repr(v) for v in unmapped))
        if missing:
            return MappingAnswer(None, tuple(missing))
        return MappingAnswer(
            MappingChoices(
                name=name.strip(),
                title=f"Mapped on the Import page ({self.table.path.name})",
                columns=chosen,
                severity_labels={label: int(level) for label, level in levels.items()},
                zone=zone.strip() or DEFAULT_ZONE,
                timestamp_format=timestamp_format.strip() or ISO8601,
                null_values=parse_null_values(null_values),
                events=rules,
            )
        )


def mapping_questions(table: RawTable) -> MappingQuestions:
    """The questions for a file read as `table`."""
    guesses = suggest_columns(table.header)
    event_guesses = suggest_event_columns(table.header, taken=guesses.values())
    options = (NOT_IN_FILE, *table.header)

    def question(name: str, label: str, guess: str | None) -> ColumnQuestion:
        return ColumnQuestion(name, label, options.index(guess) if guess in options else 0)

    return MappingQuestions(
        table=table,
        columns=tuple(
            question(f, f + (" (required)" if f in REQUIRED_FIELDS else ""), guesses.get(f))
            for f in FIELDS
        ),
        column_options=options,
        default_name=default_format_name(table.path),
        event_columns=tuple(
            question(c, EVENT_COLUMN_LABELS[c], event_guesses.get(c)) for c in EVENT_COLUMNS
        ),
        looks_like_event_log=_repeats(table.frame, guesses.get("case_id")),
        default_null_values=", ".join(_null_markers(table.frame)),
    )


def parse_null_values(text: str) -> tuple[str, ...]:
    """'NULL, N/A' -> ('NULL', 'N/A'): the cells meaning empty, as the form takes them."""
    return tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))


def _repeats(frame: pd.DataFrame, column: str | None) -> bool:
    if column is None:
        return False
    values = frame[column].str.strip()
    return bool(values[values != ""].duplicated().any())


def _null_markers(frame: pd.DataFrame) -> list[str]:
    """The NULL_MARKERS the file's first rows have, spelled as the file spells them."""
    wanted = {m.lower() for m in NULL_MARKERS}
    found: dict[str, str] = {}
    sample = frame.head(_NULL_SAMPLE_ROWS)
    for column in sample.columns:
        values = sample[column].str.strip()
        for value in values[values.str.len() <= max(map(len, NULL_MARKERS))].unique():
            if value.lower() in wanted:
                found.setdefault(value.lower(), value)
    return [found[m.lower()] for m in NULL_MARKERS if m.lower() in found]


def default_format_name(path: Path) -> str:
    """A format name from the file's: lower case, letters, digits and `_`, at most 40."""
    stem = "".join(c if c.isalnum() else "_" for c in path.stem.lower()).strip("_")
    return f"custom_{stem or 'export'}"[:40]
