"""Mapping an export by hand: what the Import page asks of a file no format knows, and the
mapping its answers make.

The page asks which header holds each field (with a first guess by name), which level each
severity label means (with a first guess from the policy's own spellings), and how timestamps
are written; the answers become MappingChoices, which new_format turns into a format file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.importer.formats import FIELDS, REQUIRED_FIELDS
from dashboard.importer.new_format import MappingChoices, suggest_columns
from dashboard.importer.readers import RawTable
from dashboard.policy import Policy
from dashboard.severity_labels import parse_severity
from dashboard.timestamps import ISO8601

NOT_IN_FILE = "(not in this file)"  # the answer for a field the export lacks
MAX_LABELS = 40  # distinct severity values offered for mapping; more means a wrong column
DEFAULT_ZONE = "local"  # naive times are in the policy's zone


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

    def severity(self, columns: Mapping[str, str], policy: Policy) -> SeverityQuestion | None:
        """The labels of the column chosen for severity, or None while none is chosen."""
        column = columns.get("severity", NOT_IN_FILE)
        if column == NOT_IN_FILE:
            return None
        values = self.table.frame[column].str.strip()
        distinct = sorted(v for v in values.unique() if v)
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

    def answer(
        self,
        *,
        columns: Mapping[str, str],
        levels: Mapping[str, int | None],
        timestamp_format: str,
        zone: str,
        name: str,
    ) -> MappingAnswer:
        """The mapping the answers make, or what is still needed. `columns`: field -> header
        (or NOT_IN_FILE); `levels`: each severity label asked -> its level (None: unanswered)."""
        chosen = {f: header for f, header in columns.items() if header != NOT_IN_FILE}
        missing = [f for f in REQUIRED_FIELDS if f not in chosen]
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
            )
        )


def mapping_questions(table: RawTable) -> MappingQuestions:
    """The questions for a file read as `table`."""
    guesses = suggest_columns(table.header)
    options = (NOT_IN_FILE, *table.header)
    return MappingQuestions(
        table=table,
        columns=tuple(
            ColumnQuestion(
                field=f,
                label=f + (" (required)" if f in REQUIRED_FIELDS else ""),
                preselected=options.index(guesses[f]) if guesses.get(f) in options else 0,
            )
            for f in FIELDS
        ),
        column_options=options,
        default_name=default_format_name(table.path),
    )


def default_format_name(path: Path) -> str:
    """A format name from the file's: lower case, letters, digits and `_`, at most 40."""
    stem = "".join(c if c.isalnum() else "_" for c in path.stem.lower()).strip("_")
    return f"custom_{stem or 'export'}"[:40]
