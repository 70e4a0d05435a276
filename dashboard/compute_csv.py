"""Recompute SLA figures for a canonical case CSV: the job behind `sla-dashboard compute`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from dashboard.importer.formats import ExportFormat, normalise
from dashboard.importer.prepare import PreparedFile, prepare_file
from dashboard.importer.readers import Reject
from dashboard.policy import Policy
from dashboard.text import object_frame
from dashboard.timestamps import format_instants
from dashboard.vocabulary import STATUSES

RESULT_COLUMNS = (
    "case_id",
    "customer",
    "severity",
    "severity_name",
    "created_at",
    "first_response_at",
    "resolved_at",
    "status",
    "channel",
    "dismissal_reason",
    "target_hours",
    "response_business_hours",
    "response_business_seconds",
    "response_deadline",
    "sla_status",
    "remaining_business_hours",
    "remaining_business_seconds",
    "source_row",
)


@dataclass(frozen=True)
class ComputeResult:
    prepared: PreparedFile
    results: pd.DataFrame  # RESULT_COLUMNS, one row per accepted case, in file order

    @property
    def rejects(self) -> list[Reject]:
        return self.prepared.validated.rejects

    @property
    def read(self) -> int:
        return self.prepared.validated.read

    def created_after(self, as_of: int) -> int:
        """How many accepted cases were created after `as_of` (judged with none of their
        target spent)."""
        cases = self.prepared.validated.cases
        if self.prepared.figures is None or cases is None:
            return 0
        return int((np.asarray(cases.created_at) > as_of).sum())

    def status_counts(self) -> dict[str, int]:
        """Cases per status; `unscored` only appears when some cases are."""
        counts = Counter(self.results["sla_status"].tolist())
        shown = [s for s in STATUSES if s != "unscored" or counts.get(s)]
        return {status: counts.get(status, 0) for status in shown}


def compute_file(
    path: str | Path,
    policy: Policy,
    *,
    as_of: int,
    zone: ZoneInfo | None = None,
    forced: ExportFormat | None = None,
    date_order: str | None = None,
) -> ComputeResult:
    prepared = prepare_file(
        path, policy, as_of=as_of, forced=forced, zone=zone, date_order=date_order
    )
    return ComputeResult(prepared, results_frame(prepared, policy))


def results_frame(prepared: PreparedFile, policy: Policy) -> pd.DataFrame:
    cases = prepared.validated.cases
    figures = prepared.figures
    if figures is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
    answered = cases.has_first_response_at
    levels = cases.frame["severity"].to_numpy()
    names = np.array([""] + [s.name for s in policy.severities], dtype=object)
    frame = cases.frame
    # Text stays Python objects (object_frame): pandas' str dtype would copy every cell into
    # its own storage, only for the writer and status_counts to turn them back (issue 16).
    return object_frame(
        {
            "case_id": frame["case_id"],
            "customer": frame["customer"],
            "severity": levels,
            "severity_name": names[levels],
            "created_at": format_instants(cases.created_at),
            "first_response_at": format_instants(cases.first_response_at, answered),
            "resolved_at": format_instants(cases.resolved_at, cases.has_resolved_at),
            "status": frame["status"],
            "channel": frame["channel"],
            "dismissal_reason": frame["dismissal_reason"],
            "target_hours": figures.target_seconds / 3600,
            "response_business_hours": _hours(figures.response_seconds, figures.has_response_time),
            "response_business_seconds": _whole(
                figures.response_seconds, figures.has_response_time
            ),
            "response_deadline": format_instants(figures.deadline),
            "sla_status": figures.status_names,
            "remaining_business_hours": _hours(figures.remaining_seconds, figures.unanswered),
            "remaining_business_seconds": _whole(figures.remaining_seconds, figures.unanswered),
            "source_row": frame["row"],
        }  # in RESULT_COLUMNS order
    )


def _hours(seconds: np.ndarray, present: np.ndarray) -> pd.Series:
    # Hours only at the edge; six decimals keep a single second visible (1 s = 0.000278 h).
    return pd.Series(np.round(seconds / 3600, 6)).where(present)


def _whole(seconds: np.ndarray, present: np.ndarray) -> pd.Series:
    return pd.Series(seconds, dtype="Int64").where(present)


def rejects_frame(rejects: list[Reject]) -> pd.DataFrame:
    """One row per reject: its spreadsheet row, why, then the record's original fields.

    Keeping the original columns under their own names means a corrected rejects file can be
    scored again as it is (the two leading columns are simply ignored then).
    """
    original: dict[str, None] = {}
    for reject in rejects:
        original.update(dict.fromkeys(reject.fields))
    if not original:
        original = {"case_id": None}
    normalised = {normalise(name) for name in original}
    row, reason = (
        ("reject_row", "reject_reason") if normalised & {"row", "reason"} else ("row", "reason")
    )
    rows = [{row: r.row, reason: r.reason, **(r.fields or {"case_id": r.case_id})} for r in rejects]
    # Object columns: a field holding bytes that were not UTF-8 (kept as they were, to be
    # written back unchanged) is no text pandas' str dtype takes (issue 13: a traceback).
    return pd.DataFrame(rows, columns=[row, reason, *original], dtype=object)
