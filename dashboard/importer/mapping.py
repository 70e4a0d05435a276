"""Apply an export format to a table: the export's columns -> our canonical fields, as text.

Nothing is parsed into numbers or instants here except durations (which only a mapping can
explain); validation (dashboard/importer/validation.py) does the rest and names every
problem per row. The notes say, one line per field, what was taken from where, so the import
report can tell the user exactly what was understood.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from dashboard.errors import UnusableFileError
from dashboard.importer.formats import (
    FIELDS,
    DismissalRule,
    ExportFormat,
    normalise,
)
from dashboard.importer.readers import RawTable, Reject
from dashboard.policy import DISMISSAL_REASONS
from dashboard.text import (
    LONGEST_VALUE,
    cleaned,
    cleaned_cells,
    lengths,
    lowered,
    object_frame,
    shown,
    too_long,
)

_DURATION = re.compile(
    r"^(?P<sign>[-+]?)(?:(?P<number>\d+(?:[.,]\d+)?)|(?P<h>\d+):(?P<m>\d{2})(?::(?P<s>\d{2}))?)$"
)


_LONGEST_DURATION = 10 * 366 * 86400  # a first reply "after" more is a shifted column


@dataclass(frozen=True)
class MappedExport:
    format: ExportFormat
    table: RawTable  # the records that are cases (footers removed)
    canonical: pd.DataFrame  # FIELDS as text, '' when empty, aligned with table.frame
    response_known: np.ndarray  # bool per row: the source says when (or whether) it was answered
    first_response_source: str  # "export", "derived", or "" when the export has none
    first_response_offset: np.ndarray  # float seconds after creation (derived); NaN when none
    vendor: pd.DataFrame  # response_minutes, response_business_minutes (float), sla (text)
    zone: ZoneInfo
    notes: list[str]
    problems: list[np.ndarray]  # per-row reasons ('' when fine) found while mapping
    structural_rejects: list[Reject]  # records refused before mapping, case ids filled in


def apply_format(table: RawTable, fmt: ExportFormat, *, zone: ZoneInfo) -> MappedExport:
    notes: list[str] = []
    lookup = {normalise(h): h for h in reversed(table.header)}  # first spelling wins
    repeated = {n for n in map(normalise, table.header) if n.endswith(" (2)")}
    table, zone = _drop_footers(table, fmt, zone, notes)
    frame = table.frame
    cells = _Cells(frame, fmt.null_values)
    n = len(frame)
    problems: list[np.ndarray] = []

    taken: list[str] = []
    absent: list[str] = []

    def column(field: str, headers: tuple[str, ...]) -> pd.Series:
        present = list(
            dict.fromkeys(lookup[normalise(h)] for h in headers if normalise(h) in lookup)
        )
        if not present:
            absent.append(f"{field} (looked for {_quoted(headers)})")
            return pd.Series([""] * n, index=frame.index, dtype=object)
        values = cells(present[0])
        for other in present[1:]:
            values = values.where(values != "", cells(other))
        taken.append(f"{field} <- {' else '.join(repr(p) for p in present)}")
        if f"{normalise(present[0])} (2)" in repeated:
            notes.append(f"{present[0]!r} appears more than once in the header: the first is used")
        return values

    canonical = pd.DataFrame(index=frame.index)
    for field in FIELDS:
        if field in fmt.columns:
            canonical[field] = column(field, fmt.columns[field])
        elif field not in ("first_response_at", "dismissal_reason"):
            canonical[field] = pd.Series([""] * n, index=frame.index, dtype=object)

    if fmt.events is not None:
        canonical["event_at"] = column("event_at", fmt.events.timestamp)
        for field, headers in (
            ("sequence", fmt.events.sequence),
            ("activity", fmt.events.activity),
        ):
            canonical[field] = (
                column(field, headers) if headers else pd.Series([""] * n, index=frame.index)
            ).astype(object)
    if fmt.statuses:
        canonical["status"] = _relabel(canonical["status"], fmt.statuses)
    canonical["channel"] = _channels(canonical["channel"], fmt, notes)

    # -- first response: a column, a duration after creation, or nothing at all ---------------
    offset = np.full(n, np.nan)
    canonical["first_response_at"] = pd.Series([""] * n, index=frame.index, dtype=object)
    source = ""
    # A timestamp column is preferred; a duration after creation is the fallback.
    if any(normalise(h) in lookup for h in fmt.first_response_column):
        canonical["first_response_at"] = column("first_response_at", fmt.first_response_column)
        source = "export"
    elif fmt.first_response_minutes or fmt.first_response_hours:
        headers = fmt.first_response_minutes or fmt.first_response_hours
        unit = 60 if fmt.first_response_minutes else 3600
        present = [lookup[normalise(h)] for h in headers if normalise(h) in lookup]
        if present:
            text = cells(present[0])
            offset, bad = parse_durations(text, unit)
            overlong = lengths(text.tolist()) > LONGEST_VALUE
            problems.append(_overlong(overlong, text, present[0]))
            problems.append(_where(bad & ~overlong, text, f"{present[0]} {{}} is not a duration"))
            problems.append(_where(offset < 0, text, f"{present[0]} {{}} is negative"))
            absurd = offset > _LONGEST_DURATION
            problems.append(_where(absurd, text, f"{present[0]} {{}} is longer than 10 years"))
            offset = np.where(absurd, np.nan, offset)
            source = "derived"
            notes.append(f"first_response_at <- created_at + {present[0]!r}")
    if fmt.events is not None and fmt.events.records_responses:
        source = "events"
    if not source:
        looked = fmt.first_response_column or fmt.first_response_minutes or fmt.first_response_hours
        notes.append(
            "first_response_at: not in this export"
            + (f" (looked for {_quoted(looked)})" if looked else "")
            + "; response times cannot be scored for these cases"
        )

    notes.insert(0, "columns: " + "; ".join(taken))
    if absent:
        notes.insert(1, f"not in this export: {'; '.join(absent)}")
    canonical["dismissal_reason"], dismissal_problems = _dismissals(cells, fmt, notes)
    problems.append(dismissal_problems)
    vendor = _vendor(cells, lookup, fmt, notes)

    case_ids = fmt.columns["case_id"]
    structural = [
        Reject(r.row, _first_field(r.fields, case_ids), r.reason, r.fields) for r in table.rejects
    ]
    known = np.full(n, bool(source))
    recorded = [lookup[normalise(h)] for h in fmt.response_recorded if normalise(h) in lookup]
    if source and recorded:
        flags = lowered(cells(recorded[0]))
        known &= ~flags.isin(["false", "0", "no"]).to_numpy()
        if not known.all():
            notes.append(
                f"{int((~known).sum())} case(s) come from an export without first responses: "
                "their response times cannot be scored"
            )
    return MappedExport(
        format=fmt,
        table=table,
        canonical=canonical,
        response_known=known,
        first_response_source=source,
        first_response_offset=offset,
        vendor=vendor,
        zone=zone,
        notes=notes,
        problems=problems,
        structural_rejects=structural,
    )


class _Cells:
    """A table's columns as clean text, each cleaned once however many fields and rules read
    it: stripped, and a lone "-" (how Zendesk and Zammad write "no value") or one of the
    format's null markers (ServiceNow's audit log writes "?") made empty."""

    def __init__(self, frame: pd.DataFrame, null_values: frozenset[str] = frozenset()) -> None:
        self.frame = frame
        self.null_values = null_values
        self._done: dict[str, pd.Series] = {}

    def __call__(self, header: str) -> pd.Series:
        if header not in self._done:
            values, cells = cleaned_cells(self.frame[header])
            if not self.null_values and "-" not in cells:  # a C scan: nothing to blank
                self._done[header] = values
                return values
            empty = values == "-"
            if self.null_values:
                # Markers are short: only cells no longer than the longest are lower-cased.
                short = values.str.len() <= max(map(len, self.null_values))
                empty[short] = empty[short] | values[short].str.lower().isin(self.null_values)
            self._done[header] = values.where(~empty, "")
        return self._done[header]


def parse_durations(text: pd.Series, unit: int) -> tuple[np.ndarray, np.ndarray]:
    """'90', '1.5', '-6', '1:30', '01:30:00' -> seconds (numbers are in `unit` seconds).

    Returns (seconds as float, NaN when empty or bad; bad: bool where a value was unreadable).
    A value longer than LONGEST_VALUE (dashboard/text.py) is bad, and never parsed.
    """
    clean = cleaned(text)
    overlong = lengths(clean.tolist()) > LONGEST_VALUE
    values = pd.Series(
        [v.replace(",", ".") for v in clean.where(~overlong, "").tolist()],
        index=text.index,
        dtype=object,
    )
    values = values.where(values != "-", "")  # Zendesk and Zammad write "-" for "no value"
    parts = values.str.extract(_DURATION)
    sign = np.where(parts["sign"] == "-", -1.0, 1.0)
    number = pd.to_numeric(parts["number"], errors="coerce").to_numpy() * unit
    clock = (
        pd.to_numeric(parts["h"], errors="coerce").to_numpy() * 3600
        + pd.to_numeric(parts["m"], errors="coerce").to_numpy() * 60
        + pd.to_numeric(parts["s"], errors="coerce").fillna(0).to_numpy()
    )
    seconds = sign * np.where(np.isnan(number), clock, number)
    bad = ((values != "").to_numpy() & np.isnan(seconds)) | overlong
    return seconds, bad


def _drop_footers(
    table: RawTable, fmt: ExportFormat, zone: ZoneInfo, notes: list[str]
) -> tuple[RawTable, ZoneInfo]:
    """Remove footer rows (Zammad's 'Timezone: Europe/Berlin'), taking the zone they name."""
    if fmt.zone not in ("local", "footer"):  # the export's own zone, unless a footer names one
        zone = ZoneInfo(fmt.zone)
    if fmt.footer is None:
        how = ", as this export writes" if fmt.zone not in ("local", "footer") else ""
        notes.append(f"times without an offset are read in {zone.key}{how}")
        return table, zone
    frame = table.frame
    filled = (frame != "").sum(axis=1).to_numpy()
    first = cleaned(frame.iloc[:, 0])
    is_footer = (filled == 1) & first.map(lambda v: bool(fmt.footer.fullmatch(v))).to_numpy()
    for position in np.flatnonzero(is_footer):
        named = fmt.footer.fullmatch(first.iloc[position])["zone"]
        try:
            zone = ZoneInfo(named)
        except (ZoneInfoNotFoundError, ValueError):
            raise UnusableFileError(
                f"{table.path}: row {table.row_numbers[position]} names the time zone "
                f"{named!r}, which is not a known zone; give the zone with --timezone"
            ) from None
        notes.append(
            f"row {table.row_numbers[position]} names the export's time zone: times are "
            f"read in {named}"
        )
    if not is_footer.any():
        notes.append(f"no time-zone footer found: times without an offset are read in {zone.key}")
    keep = ~is_footer
    trimmed = RawTable(
        table.path,
        table.header,
        frame[keep].reset_index(drop=True),
        table.row_numbers[keep],
        table.rejects,
        table.description,
        table.header_row,
    )
    return trimmed, zone


def _relabel(values: pd.Series, labels: dict[str, str]) -> pd.Series:
    relabelled = lowered(values).map(labels)
    return relabelled.where(relabelled.notna(), values).astype(object)


def _channels(values: pd.Series, fmt: ExportFormat, notes: list[str]) -> pd.Series:
    as_written = lowered(values)
    if not fmt.channels:
        return as_written
    # A dict lookup a cell keeps the format's few channel strings shared by every cell
    # (Series.map made a new string per cell: 55 MB a million rows).
    channels = fmt.channels
    written = as_written.tolist()
    unknown = Counter(v for v in written if v and v not in channels)
    if unknown:
        listed = ", ".join(f"{v!r} ({c})" for v, c in unknown.most_common(5))
        notes.append(f"channel values kept as written (not portal/email/phone/chat): {listed}")
    return pd.Series([channels.get(v, v) for v in written], index=values.index, dtype=object)


def _dismissals(cells: _Cells, fmt: ExportFormat, notes: list[str]) -> tuple[pd.Series, np.ndarray]:
    frame = cells.frame
    # numpy arrays, set through masks: a Series' masked assignment was 0.4 s at 1M rows
    reasons = np.full(len(frame), "", dtype=object)
    problems = np.full(len(frame), "", dtype=object)
    for rule in fmt.dismissal:
        for header in _all_columns(frame, rule.column):
            _apply_rule(rule, header, cells(header), reasons, problems)
    counts = Counter(reasons[reasons != ""].tolist())
    if counts:
        notes.append("dismissed: " + ", ".join(f"{c} {r}" for r, c in sorted(counts.items())))
    return pd.Series(reasons, index=frame.index, dtype=object), problems


def _all_columns(frame: pd.DataFrame, names: tuple[str, ...]) -> list[str]:
    """Every column under these names, repeats included (Jira writes "Labels" once per label)."""
    wanted = {normalise(n) for n in names}
    return [h for h in frame.columns if re.sub(r" \(\d+\)$", "", normalise(h)) in wanted]


def _apply_rule(
    rule: DismissalRule,
    header: str,
    values: pd.Series,
    reasons: np.ndarray,
    problems: np.ndarray,
) -> None:
    undecided = reasons == ""
    if rule.reason_from_value:
        # Few distinct reasons in a column: normalise each once, not each cell.
        codes, distinct = pd.factorize(values)
        normalised = np.array(
            [re.sub(r"[\s\-]+", "_", v.lower()) for v in distinct] or [""], dtype=object
        )
        reason = normalised[codes]
        given = (values != "").to_numpy() & undecided
        known = np.isin(normalised, list(DISMISSAL_REASONS))[codes]
        reasons[given & known] = reason[given & known]
        for i in np.flatnonzero(given & ~known):
            problems[i] = (
                f"{header} {values.iloc[i]!r} is not a dismissal reason (expected "
                f"{', '.join(DISMISSAL_REASONS)})"
            )
    else:
        hit = _rule_hits(values, rule) & undecided
        reasons[hit] = rule.reason


def _rule_hits(values: pd.Series, rule: DismissalRule) -> np.ndarray:
    # A status or tag column holds few distinct values: test each once, not each cell.
    codes, distinct = pd.factorize(values)
    hits = [
        (v.lower() in rule.equals) or bool(rule.matches and rule.matches.search(v))
        for v in distinct
    ]
    return np.array(hits or [False], dtype=bool)[codes]


def _vendor(
    cells: _Cells, lookup: dict[str, str], fmt: ExportFormat, notes: list[str]
) -> pd.DataFrame:
    """The helpdesk's own figures, kept beside ours for reconciliation; never used to score."""
    frame = cells.frame
    n = len(frame)

    def text(headers: tuple[str, ...]) -> pd.Series | None:
        present = [lookup[normalise(h)] for h in headers if normalise(h) in lookup]
        return cells(present[0]) if present else None

    vendor = object_frame(
        {
            "response_minutes": np.full(n, np.nan),
            "response_business_minutes": np.full(n, np.nan),
            "sla": np.full(n, "", dtype=object),
        },
        index=frame.index,
    )
    kept: list[str] = []
    filled: set[str] = set()
    for key, headers, unit in (
        ("response_minutes", fmt.vendor_response_minutes, 60),
        ("response_minutes", fmt.vendor_response_hours, 3600),  # a bare number in hours
        ("response_business_minutes", fmt.vendor_response_business_minutes, 60),
    ):
        values = text(headers)
        if values is not None and key not in filled:  # minutes before hours, when both
            seconds, bad = parse_durations(values, unit)
            vendor[key] = seconds / 60
            filled.add(key)
            kept.append(headers[0])
            if bad.any():
                notes.append(
                    f"{headers[0]}: {int(bad.sum())} values are not durations (kept empty)"
                )
    sla = text(fmt.vendor_sla)
    if sla is not None:
        said = lowered(sla)
        # Assigned into an object array, "met" and "breached" are one string each, shared by
        # every cell (np.where made a new one per cell: 55 MB a million rows); met wins.
        verdict = said.to_numpy(dtype=object).copy()
        verdict[said.isin(fmt.vendor_sla_breached).to_numpy()] = "breached"
        verdict[said.isin(fmt.vendor_sla_met).to_numpy()] = "met"
        # An object column: from the str dtype pandas would make of it, validation would
        # make a new string per cell again.
        vendor["sla"] = pd.Series(verdict, index=vendor.index, dtype=object)
        kept.append(fmt.vendor_sla[0])
    remaining = text(fmt.vendor_sla_remaining)
    if remaining is not None:
        seconds, _ = parse_durations(remaining, 60)
        from_sign = np.full(len(seconds), "", dtype=object)  # (shared strings, as above)
        from_sign[seconds < 0] = "breached"  # (NaN compares false both ways: stays "")
        from_sign[seconds >= 0] = "met"
        vendor["sla"] = pd.Series(
            np.where(vendor["sla"] == "", from_sign, vendor["sla"]),
            index=vendor.index,
            dtype=object,
        )
        kept.append(fmt.vendor_sla_remaining[0])
    if kept:
        notes.append(
            f"kept the helpdesk's own figures for reconciliation: {', '.join(map(repr, kept))}"
        )
    return vendor


def _first_field(fields: dict[str, str], headers: tuple[str, ...]) -> str:
    by_name = {normalise(k): v for k, v in fields.items()}
    return next((by_name[normalise(h)] for h in headers if by_name.get(normalise(h))), "")


def _quoted(headers: tuple[str, ...]) -> str:
    return ", ".join(repr(h) for h in headers)


def _overlong(overlong: np.ndarray, values: pd.Series, header: str) -> np.ndarray:
    problems = np.full(len(values), "", dtype=object)
    for i in np.flatnonzero(overlong):
        problems[i] = too_long(header, values.iloc[i])
    return problems


def _where(condition: np.ndarray, values: pd.Series, template: str) -> np.ndarray:
    """`template` filled with the value (quoted, its start only) where the condition holds,
    '' elsewhere."""
    problems = np.full(len(values), "", dtype=object)
    for i in np.flatnonzero(condition):
        problems[i] = template.format(shown(values.iloc[i]))
    return problems
