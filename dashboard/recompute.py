"""Recompute SLA figures for a canonical case CSV: the job behind `sla-dashboard compute`."""

from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from dashboard.business_hours import BusinessCalendar
from dashboard.case_file import Reject, normalise_header, read_case_csv
from dashboard.cases import ValidatedCases, validate_cases
from dashboard.policy import Policy
from dashboard.sla import STATUSES, score, target_seconds
from dashboard.timestamps import format_instants

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
    results: pd.DataFrame  # RESULT_COLUMNS, one row per accepted case, in file order
    rejects: list[Reject]
    read: int
    ambiguous_times: int
    as_of: int

    def status_counts(self) -> dict[str, int]:
        counts = Counter(self.results["sla_status"])
        return {status: counts.get(status, 0) for status in STATUSES}


def compute_file(path: str | Path, policy: Policy, *, as_of: int, zone: ZoneInfo) -> ComputeResult:
    validated = validate_cases(read_case_csv(path), policy, zone=zone)
    return ComputeResult(
        results=score_cases(validated, policy, as_of=as_of),
        rejects=validated.rejects,
        read=validated.read,
        ambiguous_times=validated.ambiguous_times,
        as_of=as_of,
    )


def score_cases(validated: ValidatedCases, policy: Policy, *, as_of: int) -> pd.DataFrame:
    cases = validated.cases
    if len(cases) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
    answered = cases.has_first_response_at
    calendar = BusinessCalendar.covering(
        policy.calendar, cases.created_at, cases.first_response_at[answered], as_of
    )
    levels = cases.frame["severity"].to_numpy()
    figures = score(
        calendar,
        created=cases.created_at,
        responded=cases.first_response_at,
        answered=answered,
        targets=target_seconds(policy, levels),
        as_of=as_of,
    )
    names = np.array([""] + [s.name for s in policy.severities], dtype=object)
    frame = cases.frame
    return pd.DataFrame(
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
        },
        columns=list(RESULT_COLUMNS),
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
    normalised = {normalise_header(name) for name in original}
    row, reason = (
        ("reject_row", "reject_reason") if normalised & {"row", "reason"} else ("row", "reason")
    )
    rows = [{row: r.row, reason: r.reason, **(r.fields or {"case_id": r.case_id})} for r in rejects]
    return pd.DataFrame(rows, columns=[row, reason, *original])


def write_csv_atomically(frame: pd.DataFrame, path: str | Path) -> None:
    """Write via a temporary file in the same folder, so a killed process leaves no partial file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
