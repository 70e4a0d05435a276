"""Mapped export rows (text) -> typed cases, and a reason for every row refused.

Every record ends up in exactly one place: the accepted cases or the rejects, each reject naming
its spreadsheet row, case id and every problem found with its value. Accepted rows can still
carry flags (a response before creation is scored `invalid`; a local time in the repeated DST
hour is read as its first occurrence); the notes count them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.business_hours import supported_years
from dashboard.importer.dates import DateReading, decide_date_reading
from dashboard.importer.formats import ExportFormat
from dashboard.importer.mapping import MappedExport
from dashboard.importer.readers import FileRecords, RawTable, Reject
from dashboard.importer.repeated_ids import refuse_repeated_case_ids
from dashboard.policy import Policy
from dashboard.severity_labels import parse_severity
from dashboard.text import (
    LONGEST_VALUE,
    lengths,
    lowered,
    object_frame,
    plain_text,
    shown,
    too_long,
)
from dashboard.timestamps import format_instants, parse_instants, utc_years

TEXT_COLUMNS = ("customer", "plan", "status", "channel", "component", "subject", "dismissal_reason")
# Longest text kept per field. Ids, customers and channels are indexed, and an index entry has
# a size limit on PostgreSQL; a 10,000-character "customer" is a shifted column, not a name.
# (Severity labels, dates and sequence numbers are values, held to LONGEST_VALUE where they
# are read: dashboard/severity_labels.py, dashboard/timestamps.py, _sequence below.)
TEXT_LIMITS = {
    "case_id": 200, "customer": 200, "plan": 200, "status": 200, "channel": 100,
    "component": 200, "subject": 100_000,
}  # fmt: skip


@dataclass(frozen=True)
class Cases:
    """Accepted cases. Timestamps are int64 UTC seconds with a `has_<column>` mask."""

    frame: pd.DataFrame  # row, case_id, severity, severity_label, TEXT_COLUMNS, vendor_*
    created_at: np.ndarray
    first_response_at: np.ndarray
    has_first_response_at: np.ndarray
    resolved_at: np.ndarray
    has_resolved_at: np.ndarray
    response_known: np.ndarray  # bool: False where the export does not record first responses
    first_response_source: str  # "export", "derived", "events" or ""
    # Cases derived from an event log: their events in order (importer/histories.Timelines),
    # which the policy's [scoring] and [pauses] rules read. None for one row per case.
    timelines: Any = None

    def __len__(self) -> int:
        return len(self.frame)

    def subset(self, keep: np.ndarray | slice) -> Cases:
        """The cases at `keep`: a boolean mask, positions or a slice (the last two only
        without timelines, whose own subset takes a mask)."""
        return Cases(
            frame=self.frame.iloc[keep].reset_index(drop=True),
            created_at=self.created_at[keep],
            first_response_at=self.first_response_at[keep],
            has_first_response_at=self.has_first_response_at[keep],
            resolved_at=self.resolved_at[keep],
            has_resolved_at=self.has_resolved_at[keep],
            response_known=self.response_known[keep],
            first_response_source=self.first_response_source,
            timelines=None if self.timelines is None else self.timelines.subset(keep),
        )


@dataclass(frozen=True)
class ValidatedCases:
    cases: Cases
    rejects: list[Reject]
    ambiguous_times: int  # local times in a repeated DST hour, read as their first occurrence
    dates: DateReading
    notes: list[str] = field(default_factory=list)
    # the records, for rejecting cases found wrong later (FileRecords: read again if need be)
    table: RawTable | FileRecords | None = None
    rows_read: int | None = None  # an event log's rows (several per case)

    @property
    def read(self) -> int:
        if self.rows_read is not None:
            return self.rows_read
        return len(self.cases) + len(self.rejects)

    def fields_of(self, rows: np.ndarray, positions: np.ndarray) -> list[dict[str, str]]:
        """The fields of the records at these spreadsheet rows (table positions), as the
        file wrote them."""
        if isinstance(self.table, FileRecords):  # one reading of the file for them all
            return self.table.fields(rows)
        frame = self.table.frame
        return [
            dict(zip(self.table.header, frame.iloc[int(p)].tolist(), strict=True))
            for p in positions
        ]

    def reject(self, mask: np.ndarray, reasons: np.ndarray) -> ValidatedCases:
        """Move the masked cases to the rejects (found unusable after validation)."""
        if not mask.any():
            return self
        hit = np.flatnonzero(mask)
        rows = self.cases.frame["row"].to_numpy()[hit]
        fields = self.fields_of(rows, self.cases.frame["position"].to_numpy()[hit])
        moved = [
            Reject(
                row=int(rows[k]),
                case_id=str(self.cases.frame["case_id"].iloc[i]),
                reason=str(reasons[i]),
                fields=fields[k],
            )
            for k, i in enumerate(hit)
        ]
        return ValidatedCases(
            cases=self.cases.subset(~mask),
            rejects=sorted(self.rejects + moved, key=lambda r: r.row),
            ambiguous_times=self.ambiguous_times,
            dates=self.dates,
            notes=self.notes,
            table=self.table,
            rows_read=self.rows_read,
        )


def validate_cases(
    mapped: MappedExport,
    policy: Policy,
    *,
    date_order: str | None = None,
    event_log_readers: Sequence[ExportFormat] = (),
) -> ValidatedCases:
    """`event_log_readers`: the event-log formats that recognise the file, named should a
    per-case format find its case ids repeating (dashboard/importer/repeated_ids.py)."""
    canonical = mapped.canonical
    table = mapped.table
    n = len(canonical)
    problems = _Problems(mapped.problems)
    notes = list(mapped.notes)

    # apply_format hands over stripped text: no cleaning again here.
    case_id = canonical["case_id"].reset_index(drop=True)
    problems.where(case_id.to_numpy() == "", "case_id is empty")
    # An event log repeats its case ids by design: one row per event.
    events = mapped.format.kind == "events"
    if not events:  # one row per case: a repeated id refuses the whole file
        refuse_repeated_case_ids(
            case_id, table.row_numbers, file=str(table.path), per_case=mapped.format.name,
            readers=event_log_readers,
        )  # fmt: skip
    for column, limit in TEXT_LIMITS.items():
        found = _text_problems(canonical[column], column, limit)
        if found is not None:
            problems.append(found)

    levels, severity_errors = _severity(canonical["severity"], mapped, policy)
    if events:  # an event without a severity keeps the case's previous one
        severity_errors = np.where(canonical["severity"].to_numpy() == "", "", severity_errors)
    problems.append(severity_errors)

    time_columns = [
        c for c in ("created_at", "first_response_at", "resolved_at", "event_at") if c in canonical
    ]
    dates = decide_date_reading(
        {c: canonical[c] for c in time_columns},
        table.row_numbers,
        mapped.format.timestamp_formats,
        order=date_order,
        file=str(table.path),
    )
    if dates.explanation:
        notes.append(dates.explanation)
    lo, hi = supported_years(policy.calendar)
    parsed = {}
    for column in time_columns:
        instants = parse_instants(
            canonical[column], zone=mapped.zone, column=column, formats=dates.formats, clean=False
        )
        parsed[column] = instants
        problems.append(instants.errors)
    created = parsed["created_at"]
    if events:
        event_at = parsed["event_at"]
        problems.where(~event_at.present, "event_at is empty")
        sequence, bad_sequence = _sequence(canonical["sequence"])
        problems.append(bad_sequence)
    else:
        problems.where(~created.present, "created_at is empty")

    responded = parsed["first_response_at"].seconds.copy()
    has_response = parsed["first_response_at"].valid.copy()
    if mapped.first_response_source == "derived":
        offset = mapped.first_response_offset
        has_response = ~np.isnan(offset) & created.valid
        responded = np.where(has_response, created.seconds + np.nan_to_num(offset).round(), 0)
        responded = responded.astype(np.int64)
    for column, seconds, valid in (
        ("created_at", created.seconds, created.valid),
        ("first_response_at", responded, has_response),
        ("resolved_at", parsed["resolved_at"].seconds, parsed["resolved_at"].valid),
        *([("event_at", event_at.seconds, event_at.valid)] if events else []),
    ):
        problems.append(_out_of_range(seconds, valid, column, lo, hi, policy))

    reasons = _join(problems, n)
    ok = reasons == ""
    rejects = [
        Reject(
            row=int(table.row_numbers[i]),
            case_id=str(case_id.iloc[i]),
            reason=str(reasons[i]),
            fields=dict(zip(table.header, table.frame.iloc[i].tolist(), strict=True)),
        )
        for i in np.flatnonzero(~ok)
    ]
    every = bool(ok.all())

    def own(values: np.ndarray) -> np.ndarray:
        """The accepted rows of an array made here: the array itself when every row is
        accepted (nothing else holds it; a copy of each was validation's peak, issue 16).
        The mapped text is always copied: it may be a view of the whole grid's block."""
        return values if every else values[ok]

    kept = object_frame(
        {
            "row": table.row_numbers[ok],
            "position": np.flatnonzero(ok),
            "case_id": case_id.to_numpy()[ok],
            "severity": own(levels).astype(np.int64, copy=False),
            "severity_label": canonical["severity"].to_numpy()[ok],
            **{c: canonical[c].to_numpy()[ok] for c in TEXT_COLUMNS},
            "vendor_response_minutes": mapped.vendor["response_minutes"].to_numpy()[ok],
            "vendor_response_business_minutes": mapped.vendor[
                "response_business_minutes"
            ].to_numpy()[ok],
            "vendor_sla": plain_text(mapped.vendor["sla"])[ok],
            **(
                {
                    "event_at": own(event_at.seconds),
                    "sequence": own(sequence),
                    "activity": canonical["activity"].to_numpy()[ok],
                    "has_created_at": own(created.valid),
                    "event_key": own(_event_keys(canonical, mapped.vendor["sla"])),
                    "event_at_ambiguous": own(event_at.ambiguous),
                }
                if events
                else {}
            ),
        }
    )
    cases = Cases(
        frame=kept,
        created_at=own(created.seconds),
        first_response_at=own(responded),
        has_first_response_at=own(has_response),
        resolved_at=own(parsed["resolved_at"].seconds),
        has_resolved_at=own(parsed["resolved_at"].valid),
        response_known=mapped.response_known[ok],
        first_response_source=mapped.first_response_source,
    )
    ambiguous = sum(int((p.ambiguous & ok).sum()) for p in parsed.values())
    if ambiguous:
        notes.append(
            f"{ambiguous} local time(s) fell in the hour the clocks went back and were read as "
            "the first occurrence"
        )
    before = int((cases.has_first_response_at & (cases.first_response_at < cases.created_at)).sum())
    if before:
        notes.append(f"{before} case(s) answered before they were created: scored invalid")
    all_rejects = sorted(mapped.structural_rejects + rejects, key=lambda r: r.row)
    return ValidatedCases(cases, all_rejects, ambiguous, dates, notes, table)


def _severity(
    labels: pd.Series, mapped: MappedExport, policy: Policy
) -> tuple[np.ndarray, np.ndarray]:
    """The export's own label map first, then the generic labels (P1, Level 1 - Urgent, ...)."""
    levels, errors = parse_severity(labels, policy)
    if mapped.format.severity_labels:
        said = lowered(labels).reset_index(drop=True)
        mapped_levels = said.map(mapped.format.severity_labels)
        hit = mapped_levels.notna().to_numpy()
        levels = np.where(hit, mapped_levels.fillna(0).to_numpy(), levels).astype(np.int16)
        errors = np.where(hit, "", errors).astype(object)
        missing = hit & ~np.isin(levels, policy.levels)
        for i in np.flatnonzero(missing):
            errors[i] = (
                f"severity {labels.iloc[i]!r} maps to level {levels[i]} in the "
                f"{mapped.format.name} format, which the policy does not have"
            )
            levels[i] = 0
    return levels, errors


# What an event says, as the file writes it: an event exported again is the same event even
# if it is read under other rules (a changed mapping, another --timezone).
_EVENT_TEXT = (
    "case_id", "event_at", "sequence", "activity", "status", "severity", "created_at",
    "resolved_at", "customer", "plan", "channel", "component", "subject",
)  # fmt: skip


def _event_keys(canonical: pd.DataFrame, vendor_sla: pd.Series) -> np.ndarray:
    """A 64-bit key per event row from its mapped text (SipHash, as content hashes are)."""
    combined = np.zeros(len(canonical), dtype=np.uint64)
    columns = [canonical[c].to_numpy(dtype=object) for c in _EVENT_TEXT if c in canonical]
    columns.append(plain_text(vendor_sla))  # (astype(str) made a new string of every cell)
    for text in columns:
        hashed = np.empty(len(text), dtype=np.uint64)
        # A slice at a time, and categorize=False: the same hashes, without a copy of the
        # column's text as UTF-8 bytes nor a table of its distinct values (a million distinct
        # times or ids, at validation's peak; issue 16). Quicker too on such columns: 0.1 s
        # against 0.5 s for a million times.
        for start in range(0, len(text), _HASHED_SLICE):
            part = slice(start, start + _HASHED_SLICE)
            hashed[part] = pd.util.hash_array(text[part], categorize=False)
        with np.errstate(over="ignore"):
            combined = combined * np.uint64(1_000_003) ^ hashed
    return combined.view(np.int64)


_HASHED_SLICE = 100_000


def _sequence(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """An event's sequence number (float, NaN when empty), and a problem where it is not one."""
    text = text.reset_index(drop=True)
    overlong = lengths(text.tolist()) > LONGEST_VALUE  # never parsed (dashboard/text.py)
    values = pd.to_numeric(text.where(~overlong, "").str.replace(",", ""), errors="coerce")
    numbers = values.to_numpy(dtype=np.float64)
    bad = (text.to_numpy() != "") & np.isnan(numbers)
    problems = np.full(len(text), "", dtype=object)
    for i in np.flatnonzero(bad):
        cell = text.iloc[i]
        problems[i] = (
            too_long("sequence", cell) if overlong[i] else f"sequence {shown(cell)} is not a number"
        )
    return numbers, problems


def _text_problems(values: pd.Series, column: str, limit: int) -> np.ndarray | None:
    """Cells too long to be what they claim, holding NUL characters (which PostgreSQL cannot
    store), or bytes that were not text in the file's encoding; None when no cell has any
    (the usual answer: no million-cell column of '' made and searched again)."""
    cells = values.tolist()
    joined = "".join(cells)  # one scan in C finds whether any cell needs looking at
    suspicious = "\x00" in joined or (not joined.isascii() and _has_surrogates(joined))
    if not suspicious and max(map(len, cells), default=0) <= limit:
        return None
    problems = np.full(len(values), "", dtype=object)
    for i, cell in enumerate(cells):
        if len(cell) > limit:
            problems[i] = too_long(column, cell, limit)
        elif "\x00" in cell:
            problems[i] = f"{column} {shown(cell)} holds a NUL character"
        elif _has_surrogates(cell):
            raw = cell.encode("utf-8", "surrogateescape")
            problems[i] = (
                f"{column} {shown(raw.decode('utf-8', 'replace'))} holds bytes that are not "
                "UTF-8 (the file mixes encodings: save it again as CSV UTF-8)"
            )
    return problems


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


EARLIEST_YEAR = 1970  # before: a typo or an empty date exported as zero, never a real case


def _out_of_range(
    seconds: np.ndarray, valid: np.ndarray, column: str, lo: int, hi: int, policy: Policy
) -> np.ndarray:
    """Instants in years the holiday list does not cover cannot be scored: refuse the row."""
    problems = np.full(len(seconds), "", dtype=object)
    years = utc_years(seconds)
    ancient = valid & (years < EARLIEST_YEAR)
    for i, text in zip(np.flatnonzero(ancient), format_instants(seconds[ancient]), strict=True):
        problems[i] = (
            f"{column} {text} is before {EARLIEST_YEAR}: not a date a support case has (a typo, "
            "or an empty date exported as zero?)"
        )
    outside = valid & ~ancient & ((years < lo) | (years > hi))
    label = policy.calendar.holidays.label if policy.calendar.holidays else "calendar"
    for i, text in zip(np.flatnonzero(outside), format_instants(seconds[outside]), strict=True):
        problems[i] = (
            f"{column} {text} is outside the years the {label} holiday list covers ({lo}-{hi})"
        )
    return problems


class _Problems:
    """Each check's reasons in the order the checks ran, kept only where the check found
    something: a check's column of reasons is a million cells ('' almost everywhere, and
    np.where's text arrays 64-76 bytes each), and twenty of them held until they were joined
    were the largest part of validation's peak (issue 16)."""

    def __init__(self, columns: Sequence[np.ndarray] = ()) -> None:
        self.found: list[tuple[np.ndarray, np.ndarray]] = []
        for column in columns:
            self.append(column)

    def append(self, column: np.ndarray) -> None:
        column = np.asarray(column)
        if column.dtype.kind == "U":  # np.where's text: '' is the only empty value
            rows = np.flatnonzero(column != "")
            self.found.append((rows, column[rows].astype(object)))
            return
        column = np.asarray(column, dtype=object)
        rows = np.flatnonzero(column.astype(bool)) if column.size else np.array([], np.int64)
        self.found.append((rows, column[rows]))

    def where(self, mask: np.ndarray, reason: str) -> None:
        """One reason on the rows of `mask`: np.where(mask, reason, '') would first make a
        million-cell text array (0.17 s and 64 MB at a million rows) to find them again."""
        rows = np.flatnonzero(mask)
        self.found.append((rows, np.full(len(rows), reason, dtype=object)))

    def __iter__(self):
        return iter(self.found)


def _join(problems: _Problems, n: int) -> np.ndarray:
    """Join every row's non-empty reasons with '; ', in the order the checks ran.

    Most checks find nothing: a check's rows are only visited when it found something.
    """
    reasons = np.full(n, "", dtype=object)
    for rows, found in problems:
        for i, reason in zip(rows.tolist(), found.tolist(), strict=True):
            reasons[i] = f"{reasons[i]}; {reason}" if reasons[i] else reason
    return reasons
