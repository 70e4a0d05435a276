"""What the Import page is told: how each upload was read, and how the import went.

Frozen records the page draws as they are; nothing here draws, reads or writes. Every message
names the upload as the user named it, never the server folder it was kept in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from dashboard.importer.formats import ExportFormat
from dashboard.importer.new_format import MappingChoices
from dashboard.importer.prepare import PreparedFile
from dashboard.importer.readers import Reject
from dashboard.importer.uploads import SavedUpload

PREVIEW_ROWS = 20
PREVIEW_COLUMNS = (
    "case_id", "customer", "plan", "severity", "channel", "dismissal_reason", "status",
    "event_count", "reopen_count",
)  # fmt: skip


@dataclass(frozen=True)
class Refused:
    """An upload that cannot be imported, and why."""

    message: str


@dataclass(frozen=True)
class Unrecognised:
    """An upload no format recognises: the user picks one, or maps its columns by hand."""

    message: str
    saved: SavedUpload


@dataclass(frozen=True)
class Understood:
    """An upload read and checked, ready to import."""

    prepared: PreparedFile
    mapping: MappingChoices | None = None  # the user's own mapping, to save after the import
    # Why it cannot be imported although it was read: every row was rejected (its rejected
    # rows are still shown, to see why).
    unusable: str | None = None

    @property
    def export_format(self) -> ExportFormat:
        return self.prepared.detection.format

    @property
    def accepted(self) -> int:
        return len(self.prepared.validated.cases)

    @property
    def rejected(self) -> int:
        return len(self.prepared.validated.rejects)

    @property
    def unscored(self) -> int:
        """Accepted cases the export records no first response for: stored, never judged."""
        return int((~self.prepared.validated.cases.response_known).sum())

    @property
    def unscored_warning(self) -> str | None:
        """Said before the import, where it cannot be missed (not in the notes)."""
        if not self.unscored:
            return None
        every = self.unscored == self.accepted
        return (
            f"{'All' if every else f'{self.unscored:,} of the'} {self.accepted:,} accepted cases "
            "have no first-response time in this export: they will be "
            "stored unscored, counted in the backlog and dismissals but never judged met or "
            "breached. Export the first response (or an event log that records it) to score them."
        )

    @property
    def notes(self) -> list[str]:
        return self.prepared.notes

    @property
    def summary(self) -> str:
        """One line: what will be stored; an event log says its rows make fewer cases."""
        rejected = f"{self.rejected:,} rows rejected"
        if self.prepared.events is None:
            return f"{self.accepted:,} cases accepted · {rejected}"
        return (
            f"an event log: {self.prepared.validated.read:,} rows of "
            f"{self.accepted + len({r.case_id for r in self.prepared.validated.rejects}):,} "
            f"cases, each derived from its history · {self.accepted:,} cases accepted · "
            f"{rejected}"
        )

    @property
    def header(self) -> list[str]:
        table = self.prepared.validated.table
        return table.header if table is not None else []

    @property
    def rejects_name(self) -> str:
        """The rejects download's name."""
        return f"rejected-{self.prepared.path.stem}"

    def preview(self) -> pd.DataFrame:
        """The first accepted cases, as they will be stored."""
        return preview_frame(self.prepared.validated.cases.frame)

    def rejects(self) -> pd.DataFrame:
        return rejects_frame(self.prepared.validated.rejects)


Reading = Refused | Unrecognised | Understood


@dataclass(frozen=True)
class ImportFailed:
    """Nothing was written."""

    message: str


class Report(Protocol):
    """What an import says of one file (dashboard.importing.ImportReport)."""

    @property
    def file(self) -> str: ...
    @property
    def inserted(self) -> int: ...
    @property
    def updated(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def rejected(self) -> int: ...
    def as_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Imported:
    reports: tuple[Report, ...]  # one a file
    saved_formats: tuple[str, ...] = ()  # format files written from the user's mappings
    unsaved_formats: tuple[str, ...] = ()  # why a mapping could not be saved after all

    @property
    def files(self) -> tuple[str, ...]:
        """The files as the user named them, not the session folder they were kept in."""
        return tuple(Path(r.file).name for r in self.reports)

    @property
    def message(self) -> str:
        return "Imported: " + ", ".join(
            f"{name} ({r.inserted} new, {r.updated} updated, {r.unchanged} unchanged, "
            f"{r.rejected} rejected)"
            for name, r in zip(self.files, self.reports, strict=True)
        )

    def summary(self) -> pd.DataFrame:
        """One row a file: what was read, inserted, updated, left unchanged and rejected."""
        rows = [
            {**r.as_dict(), "file": name} for name, r in zip(self.files, self.reports, strict=True)
        ]
        return pd.DataFrame(rows).drop(columns=["notes"])


def rejects_frame(rejects: Sequence[Reject]) -> pd.DataFrame:
    """One row a refused record: its row in the file, case id, why, and every original field
    (as JSON, so nothing is lost and a download can be fixed and imported again)."""
    return pd.DataFrame(
        {
            "row": [r.row for r in rejects],
            "case_id": [_shown(r.case_id) for r in rejects],
            "reason": [_shown(r.reason) for r in rejects],
            "record": [_shown(json.dumps(r.fields, ensure_ascii=False)) for r in rejects],
        }
    )


def _shown(text: str) -> str:
    """Text a table can show: bytes of a file that were not UTF-8 (kept in the reject as they
    were) shown as U+FFFD, the mark of a character that could not be read (issue 13: no table
    could hold them, and the page stopped with a traceback)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def preview_frame(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[[c for c in PREVIEW_COLUMNS if c in cases.columns]].head(PREVIEW_ROWS)


def rejected_imports(history: pd.DataFrame) -> dict[int, str]:
    """The imports of `history` that refused rows, in its order: id -> '#7 cases.csv (3
    rejected)'."""
    with_rejects = history[history["rejected"] > 0]
    return {
        int(import_id): f"#{import_id} {file_name} ({rejected} rejected)"
        for import_id, file_name, rejected in zip(
            with_rejects["id"], with_rejects["file_name"], with_rejects["rejected"], strict=True
        )
    }
