"""Why a case met or breached: its business-time ledger and verdict, for the CLI and the app.

Everything is recomputed from the stored instants under the policy given, so the answer is
the policy's, stretch by stretch (tests/test_ledger.py holds the stretches to the engine).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard import queries
from dashboard.business_hours import BusinessCalendar
from dashboard.errors import DashboardError
from dashboard.ledger import counted_seconds, describe, hours_minutes, ledger, when
from dashboard.policy import Policy
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


def explain_case(case, policy: Policy, as_of: int) -> dict:
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
        return when(dt.datetime.fromtimestamp(seconds, zone))

    lines = [
        f"{case['case_id']} ({case['source']}): {case['customer'] or 'no customer'}, level "
        f"{level} {severity.name}, target {hours_minutes(target)} business hours "
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
        verdict = (
            f"{'answered':<9} {local(responded)}: {hours_minutes(spent)} business hours -> "
            f"{status} (deadline {local(deadline)})"
        )
    else:
        status = "pending" if spent <= target else "breached"
        balance = (
            f"{hours_minutes(target - spent)} left"
            if spent <= target
            else f"{hours_minutes(spent - target)} over"
        )
        verdict = (
            f"{'as of':<9} {local(as_of)}: unanswered, {hours_minutes(spent)} business hours so "
            f"far, {balance} -> {status} (deadline {local(deadline)})"
        )
    lines.append(verdict)
    return {
        "case_id": case["case_id"],
        "source": case["source"],
        "severity": level,
        "target_seconds": target,
        "created_at": _iso(created),
        "first_response_at": _iso(responded) if answered else None,
        "business_seconds": spent,
        "deadline": _iso(deadline),
        "status": status,
        "stretches": [
            {
                "kind": s.kind,
                "start": _iso(s.start),
                "end": _iso(s.end),
                "seconds": s.seconds,
                "reasons": s.reasons,
            }
            for s in stretches
        ],
        "lines": lines,
    }


def _missing(value) -> bool:
    return value is None or value is pd.NaT or value != value


def _instant(value) -> int:
    return int(pd.Timestamp(value).timestamp())


def _iso(seconds: int) -> str:
    return format_instants([seconds])[0]
