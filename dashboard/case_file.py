"""Read our canonical case CSV into text columns, keeping every record accounted for.

Columns: case_id, customer, severity, created_at, first_response_at, resolved_at, status,
channel, dismissal_reason (only case_id, severity and created_at are required; other columns are
ignored). Header names are matched without regard to case, spaces or hyphens.

Record numbers are those a spreadsheet shows: the header is row 1, the first record row 2, and a
quoted field spanning several lines is still one row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.errors import UnusableFileError

CANONICAL_COLUMNS = (
    "case_id",
    "customer",
    "severity",
    "created_at",
    "first_response_at",
    "resolved_at",
    "status",
    "channel",
    "dismissal_reason",
)
REQUIRED_COLUMNS = ("case_id", "severity", "created_at")


@dataclass(frozen=True)
class Reject:
    """A record that was not used, with why, and its original fields so nothing is lost."""

    row: int
    case_id: str
    reason: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseRows:
    path: Path
    header: list[str]  # as written in the file (blank names become column_N)
    raw: pd.DataFrame  # every column of every record, as text, under `header`
    frame: pd.DataFrame  # the canonical columns (all present, '' when absent), text
    row_numbers: np.ndarray  # spreadsheet row of each frame row
    rejects: list[Reject]  # records refused before any value was looked at

    @property
    def records(self) -> int:
        return len(self.frame) + len(self.rejects)


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_case_csv(path: str | Path) -> CaseRows:
    path = Path(path)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise UnusableFileError(f"{path}: the file is empty")
        header = [h.strip() or f"column_{i}" for i, h in enumerate(header, start=1)]
        columns = [normalise_header(h) for h in header]
        _check_header(path, header, columns)

        width = len(columns)
        records: list[list[str]] = []
        row_numbers: list[int] = []
        rejects: list[Reject] = []
        row = 1
        for fields in reader:
            row += 1
            if not any(cell.strip() for cell in fields):
                continue  # a blank line is not a record
            if len(fields) > width:
                if any(cell.strip() for cell in fields[width:]):
                    rejects.append(_too_wide(fields, header, columns, row))
                    continue
                fields = fields[:width]  # trailing empty cells, as spreadsheets write them
            elif len(fields) < width:
                fields = fields + [""] * (width - len(fields))
            records.append(fields)
            row_numbers.append(row)
    except csv.Error as exc:
        raise UnusableFileError(
            f"{path}: not a readable CSV near line {reader.line_num}: {exc}"
        ) from None

    raw = pd.DataFrame(records, columns=header, dtype=str)
    by_name = dict(zip(columns, header, strict=True))
    frame = pd.DataFrame(
        {c: raw[by_name[c]] if c in by_name else "" for c in CANONICAL_COLUMNS}, index=raw.index
    )
    return CaseRows(path, header, raw, frame, np.asarray(row_numbers, dtype=np.int64), rejects)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnusableFileError(f"{path}: file not found") from None
    except OSError as exc:
        raise UnusableFileError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not data.strip():
        raise UnusableFileError(f"{path}: the file is empty")
    if b"\x00" in data[:65536]:
        raise UnusableFileError(f"{path}: not a CSV text file (it holds binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnusableFileError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as 'CSV UTF-8'"
        ) from None


def _check_header(path: Path, header: list[str], columns: list[str]) -> None:
    seen: set[str] = set()
    for original, name in zip(header, columns, strict=True):
        if name in seen:
            raise UnusableFileError(f"{path}: column {original!r} appears twice in the header")
        seen.add(name)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        found = ", ".join(repr(h) for h in header[:12]) + (", ..." if len(header) > 12 else "")
        raise UnusableFileError(
            f"{path}: required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} missing (found: {found})"
        )


def _too_wide(fields: list[str], header: list[str], columns: list[str], row: int) -> Reject:
    case_id = fields[columns.index("case_id")].strip()
    named = dict(zip(header, fields, strict=False))
    named.update({f"extra_{i}": v for i, v in enumerate(fields[len(header) :], start=1)})
    return Reject(
        row,
        case_id,
        f"row has {len(fields)} fields but the header has {len(header)} "
        "(an unquoted comma inside a value?)",
        named,
    )
