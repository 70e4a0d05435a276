"""Which export format a file is, and which of its rows is the header, from the headers alone.

Each format lists the headers that identify it (and, where two formats share headers, a pattern
their values follow). The first of a file's top rows that some format recognises is the header;
if several formats recognise it, the one naming the most headers wins, and a tie is refused
rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.importer.formats import ExportFormat, FormatError, normalise
from dashboard.importer.readers import Grid
from dashboard.text import cleaned

_VALUE_SAMPLE = 2000


@dataclass(frozen=True)
class Detection:
    format: ExportFormat
    header_position: int  # index into the grid's rows
    header_row: int  # the spreadsheet row
    forced: bool

    @property
    def explanation(self) -> str:
        how = "as requested" if self.forced else "detected from its headers"
        return f"{self.format.title} ({self.format.name}), {how}, header on row {self.header_row}"


def detect_format(
    grid: Grid, formats: list[ExportFormat], *, forced: ExportFormat | None = None
) -> Detection:
    search = max(f.header_search_rows for f in [*formats, *([forced] if forced else [])])
    positions = range(min(search, len(grid.cells)))
    if forced is not None:
        # The user said which format: its headers must be there, its value patterns are not
        # checked (they only tell apart formats that share headers).
        for position in positions:
            if position < forced.header_search_rows and not _missing(forced, grid, position):
                return Detection(forced, position, int(grid.row_numbers[position]), True)
        missing = _missing(forced, grid, 0)
        raise FormatError(
            f"{grid.path}: does not fit the {forced.name} format ({forced.title}): row "
            f"{grid.row_numbers[0]} lacks "
            f"{', '.join(repr(m) for m in missing)}"
        )
    for position in positions:
        candidates = [
            f for f in formats if position < f.header_search_rows and _recognises(f, grid, position)
        ]
        if candidates:
            best = max(len(f.detect_headers) for f in candidates)
            winners = [f for f in candidates if len(f.detect_headers) == best]
            if len(winners) > 1:
                names = " and ".join(f.name for f in winners)
                raise FormatError(
                    f"{grid.path}: the headers fit several formats ({names}); choose one with "
                    "--format NAME"
                )
            return Detection(winners[0], position, int(grid.row_numbers[position]), False)
    raise FormatError(_no_format_message(grid, formats))


def event_log_readers(grid: Grid, formats: list[ExportFormat], position: int) -> list[ExportFormat]:
    """The event-log formats whose headers the file has at `position` (its detected header):
    what to suggest when a per-case format finds the file repeating case ids."""
    return [
        f
        for f in formats
        if f.kind == "events" and position < f.header_search_rows and _recognises(f, grid, position)
    ]


def _recognises(fmt: ExportFormat, grid: Grid, position: int) -> bool:
    if _missing(fmt, grid, position):
        return False
    if not fmt.detect_values:
        return True
    header = [normalise(cell) for cell in grid.row(position)]
    sample = grid.cells.iloc[position + 1 : position + 1 + _VALUE_SAMPLE]
    for name, pattern in fmt.detect_values.items():
        if normalise(name) not in header:
            return False
        values = cleaned(sample[header.index(normalise(name))])
        values = values[values != ""]
        if values.empty or values.map(pattern.fullmatch).isna().any():
            return False
    return True


def _missing(fmt: ExportFormat, grid: Grid, position: int) -> list[str]:
    present = {normalise(cell) for cell in grid.row(position) if cell}
    return [
        alternatives[0]
        for alternatives in fmt.detect_headers
        if not any(normalise(a) in present for a in alternatives)
    ]


def _no_format_message(grid: Grid, formats: list[ExportFormat]) -> str:
    header = [cell for cell in grid.row(0) if cell]
    shown = ", ".join(repr(h) for h in header[:8]) + (", ..." if len(header) > 8 else "")
    closest = min(formats, key=lambda f: len(_missing(f, grid, 0)) / len(f.detect_headers))
    missing = _missing(closest, grid, 0)
    if missing:
        needs = f"which would need {', '.join(repr(m) for m in missing)}"
    else:
        patterns = ", ".join(f"{h!r} like {p.pattern!r}" for h, p in closest.detect_values.items())
        needs = f"whose values would look different ({patterns})"
    present = {normalise(h) for h in header}
    if {"case id", "activity"} <= present or {"case:concept:name", "concept:name"} <= present:
        return (
            f"{grid.path}: a process-mining event log (row {grid.row_numbers[0]} has {shown}); "
            "which of its activities mean a first response, a resolution or a pause is yours "
            'to say: write a mapping with kind = "events" (copy '
            "data/mappings/process_mining_helpdesk.toml; docs/event-logs.md) and use --map FILE"
        )
    return (
        f"{grid.path}: not an export format we know (row {grid.row_numbers[0]} has {shown}); "
        f"closest is {closest.title}, {needs}; use --format NAME (one of "
        f"{', '.join(sorted(f.name for f in formats))}) or --map FILE"
    )
