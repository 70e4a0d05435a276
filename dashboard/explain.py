"""Why a case met or breached: its business-time ledger and verdict, for the CLI and the app.

Everything is recomputed from the stored instants under the policy given, so the answer is
the policy's, stretch by stretch (tests/test_ledger.py holds the stretches to the engine).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import queries
from dashboard.business_hours import BusinessCalendar
from dashboard.errors import DashboardError
from dashboard.ledger import Stretch, counted_seconds, describe, ledger
from dashboard.policy import Policy
from dashboard.readable import duration, instant
from dashboard.timestamps import format_instants


def find_case(
    engine: Engine, case_id: str, *, source: str | None = None, hint: str = ""
) -> pd.Series:
    """The stored case (a row of case_detail.sql); refused when absent or ambiguous."""
    rows = queries.run(engine, "case_detail", case_id=case_id, all_sources=source is None,
                       source=source or "")  # fmt: skip
    if rows.empty:
        raise DashboardError(
            f"no case {case_id!r}" + (f" from source {source!r}" if source else "")
        )
    if len(rows) > 1:
        sources = ", ".join(rows["source"])
        raise DashboardError(
            f"case {case_id!r} exists in several sources ({sources})"
            + (f"; {hint}" if hint else "")
        )
    return rows.iloc[0]


@dataclass(frozen=True)
class CaseExplanation:
    """One case's verdict and the ledger behind it; instants are UTC seconds."""

    case_id: str
    source: str
    severity: int
    target_seconds: int
    created_at: int
    first_response_at: int | None  # None: unanswered
    business_seconds: int  # counted to the first response, or to as_of
    deadline: int
    status: str  # met, breached, pending, invalid or unscored
    stretches: tuple[Stretch, ...]
    lines: tuple[str, ...]  # the ledger as text, as `sla-dashboard explain` prints it

    @property
    def deadline_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.deadline, dt.UTC)

    def as_json(self) -> dict:
        """The `explain --json` object."""
        return {
            "case_id": self.case_id,
            "source": self.source,
            "severity": self.severity,
            "target_seconds": self.target_seconds,
            "created_at": _iso(self.created_at),
            "first_response_at": None
            if self.first_response_at is None
            else _iso(self.first_response_at),
            "business_seconds": self.business_seconds,
            "deadline": _iso(self.deadline),
            "status": self.status,
            "stretches": [
                {
                    "kind": s.kind,
                    "start": _iso(s.start),
                    "end": _iso(s.end),
                    "seconds": s.seconds,
                    "reasons": list(s.reasons),
                }
                for s in self.stretches
            ],
            "lines": list(self.lines),
        }


def explain_case(case, policy: Policy, as_of: int) -> CaseExplanation:
    """The ledger and verdict of one stored case (a row of case_detail.sql)."""
    zone = ZoneInfo(policy.calendar.timezone)
    level = int(case["severity"])
    if level not in policy.levels:
        raise DashboardError(f"{policy.source}: the policy has no level {level}")
    severity = policy.severity(level)
    target = severity.response_seconds
    created = _instant(case["created_at"])
    answered = not _missing(case["first_response_at"])
    responded = _instant(case["first_response_at"]) if answered else None
    end = responded if answered else as_of
    calendar = BusinessCalendar.covering(
        policy.calendar, np.array([created, end, as_of], dtype=np.int64)
    )
    deadline = int(calendar.deadline(created, target))
    stretches = ledger(calendar, created, end)
    spent = counted_seconds(stretches)

    def local(seconds: int) -> str:
        return instant(seconds, zone)

    lines = [
        f"{case['case_id']} ({case['source']}): {case['customer'] or 'no customer'}, level "
        f"{level} {severity.name}, target {duration(target)} business hours "
        f"({policy.calendar.timezone})",
        f"{'created':<9} {local(created)}",
        *(describe(s, zone) for s in stretches),
    ]
    if not bool(case["response_recorded"]):
        status = "unscored"
        verdict = f"the export records no first responses: no verdict (deadline {local(deadline)})"
    elif answered and responded < created:
        status = "invalid"
        verdict = f"{'answered':<9} {local(responded)}, before it was created: invalid"
    elif answered:
        status = "met" if spent <= target else "breached"
        over = f", {duration(spent - target)} over" if spent > target else ""
        verdict = (
            f"{'answered':<9} {local(responded)}: {duration(spent)} business hours{over} -> "
            f"{status} (deadline {local(deadline)})"
        )
    else:
        status = "pending" if spent <= target else "breached"
        balance = (
            f"{duration(target - spent)} left"
            if spent <= target
            else f"{duration(spent - target)} over"
        )
        verdict = (
            f"{'as of':<9} {local(as_of)}: unanswered, {duration(spent)} business hours so "
            f"far, {balance} -> {status} (deadline {local(deadline)})"
        )
    lines.append(verdict)
    return CaseExplanation(
        case_id=str(case["case_id"]),
        source=str(case["source"]),
        severity=level,
        target_seconds=target,
        created_at=created,
        first_response_at=responded if answered else None,
        business_seconds=spent,
        deadline=deadline,
        status=status,
        stretches=tuple(stretches),
        lines=tuple(lines),
    )


def _missing(value) -> bool:
    return value is None or value is pd.NaT or value != value


def _instant(value) -> int:
    return int(pd.Timestamp(value).timestamp())


def _iso(seconds: int) -> str:
    return format_instants([seconds])[0]
