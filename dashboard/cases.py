"""Canonical case rows (text) -> typed cases, and a reason for every row refused.

Every record ends up in exactly one place: the accepted cases or the rejects, each reject naming
its spreadsheet row, case id and every problem found with its value.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from dashboard.business_hours import supported_years
from dashboard.case_file import CaseRows, Reject
from dashboard.policy import Policy
from dashboard.severity_labels import parse_severity
from dashboard.timestamps import format_instants, parse_instants, utc_years

TIMESTAMP_COLUMNS = ("created_at", "first_response_at", "resolved_at")


@dataclass(frozen=True)
class Cases:
    """Accepted cases. Timestamps are int64 UTC seconds with a `has_<column>` mask."""

    frame: pd.DataFrame  # row, case_id, customer, severity, status, channel, dismissal_reason
    created_at: np.ndarray
    first_response_at: np.ndarray
    has_first_response_at: np.ndarray
    resolved_at: np.ndarray
    has_resolved_at: np.ndarray

    def __len__(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class ValidatedCases:
    cases: Cases
    rejects: list[Reject]
    ambiguous_times: int  # local times in a repeated DST hour, read as their first occurrence

    @property
    def read(self) -> int:
        return len(self.cases) + len(self.rejects)


def validate_cases(rows: CaseRows, policy: Policy, *, zone: ZoneInfo) -> ValidatedCases:
    frame = rows.frame
    n = len(frame)
    problems: list[np.ndarray] = []

    case_id = frame["case_id"].fillna("").astype(str).str.strip()
    problems.append(np.where(case_id.to_numpy() == "", "case_id is empty", ""))
    problems.append(_duplicate_problems(case_id, rows.row_numbers))

    levels, severity_errors = parse_severity(frame["severity"], policy)
    problems.append(severity_errors)

    lo, hi = supported_years(policy.calendar)
    parsed = {}
    for column in TIMESTAMP_COLUMNS:
        instants = parse_instants(frame[column], zone=zone, column=column)
        parsed[column] = instants
        problems.append(instants.errors)
        problems.append(_out_of_range(instants.seconds, instants.valid, column, lo, hi, policy))
    problems.append(np.where(parsed["created_at"].present, "", "created_at is empty"))

    reasons = _join(problems, n)
    ok = reasons == ""
    rejects = [
        Reject(
            row=int(rows.row_numbers[i]),
            case_id=str(case_id.iloc[i]),
            reason=str(reasons[i]),
            fields={h: str(v) for h, v in zip(rows.header, rows.raw.iloc[i], strict=True)},
        )
        for i in np.flatnonzero(~ok)
    ]
    kept = pd.DataFrame(
        {
            "row": rows.row_numbers[ok],
            "case_id": case_id[ok].to_numpy(),
            "customer": _text(frame["customer"])[ok],
            "severity": levels[ok].astype(np.int64),
            "status": _text(frame["status"])[ok],
            "channel": _text(frame["channel"])[ok],
            "dismissal_reason": _text(frame["dismissal_reason"])[ok],
        }
    )
    cases = Cases(
        frame=kept,
        created_at=parsed["created_at"].seconds[ok],
        first_response_at=parsed["first_response_at"].seconds[ok],
        has_first_response_at=parsed["first_response_at"].valid[ok],
        resolved_at=parsed["resolved_at"].seconds[ok],
        has_resolved_at=parsed["resolved_at"].valid[ok],
    )
    ambiguous = sum(int((p.ambiguous & ok).sum()) for p in parsed.values())
    return ValidatedCases(cases, sorted(rows.rejects + rejects, key=lambda r: r.row), ambiguous)


def _text(column: pd.Series) -> np.ndarray:
    return column.fillna("").astype(str).str.strip().to_numpy(dtype=object)


def _duplicate_problems(case_id: pd.Series, row_numbers: np.ndarray) -> np.ndarray:
    """Later occurrences of a case id are refused, naming the row of the first."""
    problems = np.full(len(case_id), "", dtype=object)
    duplicated = (case_id.duplicated(keep="first") & (case_id != "")).to_numpy()
    if duplicated.any():
        first_row = pd.Series(row_numbers, index=case_id.index).groupby(case_id).transform("first")
        for i in np.flatnonzero(duplicated):
            problems[i] = (
                f"duplicate case_id {case_id.iloc[i]!r} (first at row {first_row.iloc[i]})"
            )
    return problems


def _out_of_range(
    seconds: np.ndarray, valid: np.ndarray, column: str, lo: int, hi: int, policy: Policy
) -> np.ndarray:
    """Instants in years the holiday list does not cover cannot be scored: refuse the row."""
    problems = np.full(len(seconds), "", dtype=object)
    years = utc_years(seconds)
    outside = valid & ((years < lo) | (years > hi))
    label = policy.calendar.holidays.label if policy.calendar.holidays else "calendar"
    for i, text in zip(np.flatnonzero(outside), format_instants(seconds[outside]), strict=True):
        problems[i] = (
            f"{column} {text} is outside the years the {label} holiday list covers ({lo}-{hi})"
        )
    return problems


def _join(problems: list[np.ndarray], n: int) -> np.ndarray:
    """Join every row's non-empty reasons with '; ' (vectorised over rows)."""
    reasons = np.full(n, "", dtype=object)
    for column in problems:
        column = np.asarray(column, dtype=object)
        has = column != ""
        both = has & (reasons != "")
        reasons[both] = reasons[both] + "; " + column[both]
        only = has & ~both
        reasons[only] = column[only]
    return reasons
