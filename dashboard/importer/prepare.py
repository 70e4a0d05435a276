"""One export file -> validated, scored cases, ready to store or write; no database involved.

read (any encoding, delimiter or .xlsx) -> detect the format and header row -> map columns ->
validate every row -> score against the policy. The result says what was understood and what
was not, so the user can trust (or fix) the file before anything is written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from dashboard.business_hours import BusinessCalendar, supported_years
from dashboard.errors import DashboardError
from dashboard.importer.detect import Detection, detect_format, event_log_readers
from dashboard.importer.formats import (
    EventRules,
    ExportFormat,
    format_by_name,
    known_formats,
    load_format,
)
from dashboard.importer.histories import (
    derive,
    distinct_events,
    event_frame,
    history_targets,
    paused_seconds,
    rejected_rows,
    without_cases,
)
from dashboard.importer.mapping import MappedExport, apply_format
from dashboard.importer.readers import FileRecords, read_grid, table_from_grid
from dashboard.importer.validation import ValidatedCases, validate_cases
from dashboard.policy import Policy
from dashboard.sla import SlaFigures, resolution_targets, score, score_resolution
from dashboard.timestamps import any_local, format_instants, utc_years


@dataclass(frozen=True)
class PreparedFile:
    path: Path
    checksum: str  # sha256 of the bytes read
    size: int
    description: str  # how the file was read
    detection: Detection
    validated: ValidatedCases
    figures: SlaFigures | None  # None when no case was accepted
    calendar: BusinessCalendar | None
    as_of: int | None
    # An event log's distinct events of the accepted cases (importer/histories.py), stored so
    # that the cases can be derived again; None for one row per case.
    events: pd.DataFrame | None = None
    # the zone times without an offset were read in; None when every time had its offset
    time_zone: str | None = None

    @property
    def notes(self) -> list[str]:
        return [self.description, self.detection.explanation, *self.validated.notes]


def choose_format(format_name: str | None, mapping_path: str | Path | None) -> ExportFormat | None:
    if format_name and mapping_path:
        from dashboard.importer.formats import FormatError

        raise FormatError("give --format or --map, not both")
    if mapping_path:
        return load_format(mapping_path)
    if format_name:
        return format_by_name(format_name)
    return None


def prepare_file(
    path: str | Path,
    policy: Policy,
    *,
    as_of: int | None = None,
    forced: ExportFormat | None = None,
    zone: ZoneInfo | None = None,
    date_order: str | None = None,
) -> PreparedFile:
    path = Path(path)
    grid = read_grid(path)
    formats = known_formats()  # the built-in ones, then the user's
    detection = detect_format(grid, formats, forced=forced)
    table = table_from_grid(grid, detection.header_position)
    readers = event_log_readers(grid, formats, detection.header_position)
    # The grid's cells are in the table now: let them go before validation, the peak.
    checksum, size, description = grid.checksum, grid.size, grid.description
    del grid
    mapped = apply_format(table, detection.format, zone=zone or policy.calendar.zone)
    del table  # (the mapped export holds it, and the validated cases after it)
    validated = validate_cases(mapped, policy, date_order=date_order, event_log_readers=readers)
    time_zone = mapped.zone.key if _read_local_times(mapped) else None
    # The mapped text columns are in the validated cases now: let the rest go before the
    # events are derived, the cases scored and stored (issue 16: the import's peak).
    del mapped
    # Only a row rejected from here on needs its fields again: an event of a case that does
    # not derive, a case past the holiday list. They are read again from the file (one
    # reading for them all; few files have any), and the table's text goes now.
    records = FileRecords(path, validated.table.header, detection.header_position, checksum)
    validated = dataclasses.replace(validated, table=records)
    rules = detection.format.events
    events = None
    if rules is not None:
        validated, events = cases_from_events(
            validated,
            rules,
            policy,
            created_column="created_at" in detection.format.columns,
        )
    validated, figures, calendar = score_validated(validated, policy, as_of=as_of)
    if events is not None and figures is not None and len(validated.rejects) > 0:
        events = events[events["case_id"].isin(validated.cases.frame["case_id"])]
    return PreparedFile(
        path=path,
        checksum=checksum,
        size=size,
        description=description,
        detection=detection,
        validated=validated,
        figures=figures,
        calendar=calendar,
        as_of=as_of,
        events=events,
        time_zone=time_zone,
    )


def _read_local_times(mapped: MappedExport) -> bool:
    """Whether any of the export's times was read in its zone (had no offset)."""
    columns = [c for c in ("created_at", "first_response_at", "resolved_at")
               if c in mapped.canonical.columns]  # fmt: skip
    return any(any_local(mapped.canonical[c]) for c in columns)


def cases_from_events(
    validated: ValidatedCases,
    rules: EventRules,
    policy: Policy,
    *,
    batch: int = 0,
    created_column: bool = False,
) -> tuple[ValidatedCases, pd.DataFrame]:
    """Validated event rows -> one validated case each, and the distinct events kept;
    `created_column`: the format maps created_at (each case must then give it)."""
    rows = len(validated.cases) + len(validated.rejects)
    case_ids = set(validated.cases.frame["case_id"]) | {r.case_id for r in validated.rejects}
    case_ids.discard("")
    events, repeats = distinct_events(event_frame(validated, rules, batch=batch))
    # A log whose format names no response rule says nothing about responses: unscored.
    unrecorded = () if rules.records_responses else events["case_id"].unique().tolist()
    derived = derive(
        events,
        policy,
        responses_unrecorded=unrecorded,
        created_column=created_column,
    )
    rejects = rejected_rows(validated, derived, events)
    refused = {r.case_id for r in rejects}
    cases = derived.cases
    if refused:
        cases = cases.subset(~cases.frame["case_id"].isin(list(refused)).to_numpy())
        events = without_cases(events, refused)
    notes = [
        *validated.notes,
        f"event log: {rows:,} row(s) of {len(case_ids):,} case(s); each case is "
        "derived from its events (docs/event-logs.md)"
        + (f"; {repeats:,} repeated identical event(s) counted once" if repeats else ""),
        _response_rule(rules),
    ]
    return (
        ValidatedCases(
            cases=cases,
            rejects=sorted(validated.rejects + rejects, key=lambda r: r.row),
            ambiguous_times=validated.ambiguous_times,
            dates=validated.dates,
            notes=notes,
            table=validated.table,
            rows_read=rows,
        ),
        events,
    )


def _response_rule(rules: EventRules) -> str:
    said = []
    if rules.responded_when_status_not:
        said.append(f"status not {' or '.join(sorted(rules.responded_when_status_not))}")
    if rules.responded_activities:
        said.append(f"activity {' or '.join(sorted(rules.responded_activities))}")
    if not said:
        return "first response: this log names no response event; cases are stored unscored"
    return f"first response: the first event with {' or '.join(said)}"


def score_validated(
    validated: ValidatedCases, policy: Policy, *, as_of: int | None
) -> tuple[ValidatedCases, SlaFigures | None, BusinessCalendar | None]:
    """Score the accepted cases; a case whose deadline the holiday list cannot reach is
    rejected (naming why) rather than failing the file or scored without holidays.

    Without `as_of` (storing cases, where nothing depends on it) unanswered cases are judged
    at the latest creation in the file: what is stored never depends on when one imports.
    """
    lo, hi = supported_years(policy.calendar)
    if as_of is None:
        created = validated.cases.created_at
        as_of = int(created.max()) if created.size else 0
    elif not lo <= int(utc_years([as_of])[0]) <= hi:
        raise DashboardError(
            f"as of {format_instants([as_of])[0]} is outside the years the "
            f"{_holiday_label(policy)} holiday list covers ({lo}-{hi}); give --as-of within them"
        )
    cases = validated.cases
    if len(cases) == 0:
        return validated, None, None
    answered = cases.has_first_response_at
    calendar = BusinessCalendar.covering(
        policy.calendar,
        cases.created_at,
        cases.first_response_at[answered],
        cases.resolved_at[cases.has_resolved_at],
        as_of,
        *([cases.timelines.at] if cases.timelines is not None else []),
    )
    targets, levels, labels = history_targets(cases, policy, calendar)
    if cases.timelines is not None and policy.severity_rule == "escalation":
        cases.frame["severity"] = levels
        cases.frame["severity_label"] = labels
    # The breach instant is one business second past the deadline: both must be reachable.
    beyond = calendar.clock(cases.created_at) + targets + 1 > calendar.total_seconds
    if beyond.any():
        reason = (
            f"its response deadline falls after {calendar.last_year}, beyond the years the "
            f"{_holiday_label(policy)} holiday list covers ({lo}-{hi})"
        )
        validated = validated.reject(beyond, np.full(len(cases), reason, dtype=object))
        return score_validated(validated, policy, as_of=as_of)
    figures = score(
        calendar,
        created=cases.created_at,
        responded=cases.first_response_at,
        answered=answered,
        targets=targets,
        as_of=as_of,
        response_known=cases.response_known,
    )
    resolution = score_resolution(
        calendar,
        created=cases.created_at,
        resolved=cases.resolved_at,
        has_resolved=cases.has_resolved_at,
        paused=paused_seconds(cases, policy, calendar),
        targets=resolution_targets(policy, cases.frame["severity"].to_numpy()),
    )
    return validated, dataclasses.replace(figures, resolution=resolution), calendar


def _holiday_label(policy: Policy) -> str:
    source = policy.calendar.holidays
    return source.label if source else "calendar"
