"""A slow, obviously-correct derivation of case facts from a ServiceNow incident event log.

It reads docs/event-logs.md literally, one case at a time, walking the events one by one, and
shares no code with the importer: dates are parsed here with the datetime module, and every
business-time figure comes from the day-walking reference in tests/reference.py. Only the
existing policy parser is used, for the calendar and the response targets; the new policy keys
(`[scoring]`, `[pauses]`, `resolution_hours`) are read from the raw TOML-shaped dict directly.

`derive(rows, raw_policy)` takes the CSV rows (dicts keyed by the ServiceNow header) in the
order they were imported: the rows of the first file in file order, then those of the next
file, and so on. It returns, per case number, the values the `cases` table should hold.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.policy import Policy, parse_policy
from tests import reference

HEADER = (
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count",
    "made_sla", "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at",
    "sys_updated_by", "sys_updated_at", "contact_type", "location", "category", "subcategory",
    "u_symptom", "cmdb_ci", "impact", "urgency", "priority", "assignment_group", "assigned_to",
    "knowledge", "u_priority_confirmation", "notify", "problem_id", "rfc", "vendor", "caused_by",
    "closed_code", "resolved_by", "resolved_at", "closed_at",
)  # fmt: skip

PRIORITIES = {"1 - Critical": 1, "2 - High": 2, "3 - Moderate": 3, "4 - Low": 4}
PRIORITY_TEXT = {level: text for text, level in PRIORITIES.items()}
STATES = ("New", "Active", "Awaiting User Info", "Awaiting Problem", "Resolved", "Closed")
RESOLVED_STATES = ("Resolved", "Closed")
NOT_A_RESPONSE = ("New",)
SCORING_MODES = ("initial", "final", "highest", "escalation")

# The columns of `cases` this reference predicts.
COLUMNS = (
    "severity",
    "created_at",
    "first_response_at",
    "resolved_at",
    "target_seconds",
    "response_deadline",
    "response_business_seconds",
    "response_status",
    "resolution_business_seconds",
    "paused_business_seconds",
    "resolution_status",
    "reopen_count",
    "event_count",
    "vendor_sla",
    "customer",
)


@dataclass(frozen=True)
class Rules:
    """The policy as the reference needs it."""

    policy: Policy  # calendar and response targets, from the existing parser
    scoring: str = "final"
    pause_statuses: frozenset[str] = frozenset()
    resolution_seconds: Mapping[int, int] = field(default_factory=dict)  # level -> seconds


def rules_from_raw(raw: Mapping[str, Any]) -> Rules:
    """Read the new keys from a TOML-shaped policy; the rest through parse_policy as it is."""
    base = copy.deepcopy(dict(raw))
    scoring = base.pop("scoring", {}).get("severity", "final")
    assert scoring in SCORING_MODES, scoring
    pauses = frozenset(base.pop("pauses", {}).get("statuses", []))
    resolution = {}
    for entry in base["severity"]:
        hours = entry.pop("resolution_hours", None)
        if hours is not None:
            resolution[entry["level"]] = round(hours * 3600)
    policy = parse_policy(base, source="reference")
    return Rules(policy, scoring, pauses, resolution)


@dataclass(frozen=True)
class Event:
    index: int  # position among the stored events (earlier imports first, then file order)
    case_id: str
    state: str
    updated: int  # UTC seconds
    sequence: int | None  # sys_mod_count; None when empty
    opened: int | None
    priority: int | None
    resolved: int | None
    closed: int | None
    made_sla: str | None
    caller: str | None


def empty(text: str | None) -> bool:
    return text is None or text.strip() in ("", "?")


def value(text: str | None) -> str | None:
    return None if empty(text) else text.strip()


def parse_time(text: str | None, zone: ZoneInfo) -> int | None:
    """'29/2/2016 01:16' (local wall time, day first, no seconds) -> UTC seconds."""
    if empty(text):
        return None
    day_text, clock_text = text.split()
    day, month, year = (int(part) for part in day_text.split("/"))
    hour, minute = (int(part) for part in clock_text.split(":"))
    local = dt.datetime(year, month, day, hour, minute, tzinfo=zone)
    return int(local.timestamp())


def format_time(seconds: int, zone: ZoneInfo) -> str:
    """UTC seconds (whole minutes) -> 'D/M/YYYY HH:MM' local wall time, as ServiceNow writes."""
    assert seconds % 60 == 0, seconds
    local = dt.datetime.fromtimestamp(seconds, zone)
    return f"{local.day}/{local.month}/{local.year} {local.hour:02d}:{local.minute:02d}"


def as_utc(seconds: int | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def read_events(rows: Iterable[Mapping[str, str]], zone: ZoneInfo) -> list[Event]:
    """The stored events: an event identical to one already seen is stored once (the first).

    Identical means every column equal; the tests only write rows whose unmapped columns
    follow from the mapped ones, so this is the spec's "same case and same mapped fields".
    """
    seen = set()
    events = []
    for row in rows:
        key = tuple(row[column] for column in HEADER)
        if key in seen:
            continue
        seen.add(key)
        sequence = value(row["sys_mod_count"])
        priority = value(row["priority"])
        state = value(row["incident_state"])
        assert state is not None, "the tests never write an event without a state"
        updated = parse_time(row["sys_updated_at"], zone)
        assert updated is not None, "the tests never write an event without a timestamp"
        events.append(
            Event(
                index=len(events),
                case_id=row["number"].strip(),
                state=state,
                updated=updated,
                sequence=None if sequence is None else int(sequence),
                opened=parse_time(row["opened_at"], zone),
                priority=None if priority is None else PRIORITIES[priority],
                resolved=parse_time(row["resolved_at"], zone),
                closed=parse_time(row["closed_at"], zone),
                made_sla=value(row["made_sla"]),
                caller=value(row["caller_id"]),
            )
        )
    return events


def order_key(event: Event) -> tuple:
    # An empty sequence sorts after any number.
    sequence = (0, event.sequence) if event.sequence is not None else (1, 0)
    return (event.updated, sequence, event.index)


def derive(rows: Iterable[Mapping[str, str]], raw_policy: Mapping[str, Any]) -> dict[str, dict]:
    rules = rules_from_raw(raw_policy)
    events = read_events(rows, rules.policy.calendar.zone)
    by_case: dict[str, list[Event]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    return {
        case_id: derive_case(sorted(case_events, key=order_key), rules)
        for case_id, case_events in by_case.items()
    }


def derive_case(events: list[Event], rules: Rules) -> dict:
    """One case from its events, already in order."""
    spec = rules.policy.calendar

    def target(level: int) -> int:
        return rules.policy.severity(level).response_seconds

    # Created: opened_at of the last event that has one.
    created = None
    for event in events:
        if event.opened is not None:
            created = event.opened
    assert created is not None, "the tests never write a case without a creation time"

    # First response: the first event whose state is not New.
    first_response = None
    for event in events:
        if event.state not in NOT_A_RESPONSE:
            first_response = event.updated
            break

    # Resolved: the last event's resolved_at, else its closed_at.
    last = events[-1]
    resolved = last.resolved if last.resolved is not None else last.closed

    # Severity history: (instant, level) at each event whose priority differs from the one it
    # had; an event without a priority keeps the previous one.
    changes: list[tuple[int, int]] = []
    for event in events:
        if event.priority is None:
            continue
        if not changes or changes[-1][1] != event.priority:
            changes.append((event.updated, event.priority))
    assert changes, "the tests never write a case without a severity"

    if rules.scoring == "escalation":
        candidates = []
        for position, (instant, level) in enumerate(changes):
            start = created if position == 0 else max(instant, created)
            candidates.append((reference.deadline(spec, start, target(level)), level))
        response_deadline, severity = min(candidates)  # earliest; on a tie the lower level
        target_seconds = reference.business_seconds(spec, created, response_deadline)
    else:
        if rules.scoring == "initial":
            severity = changes[0][1]
        elif rules.scoring == "final":
            severity = changes[-1][1]
        else:  # highest: the most urgent ever, counted from creation
            severity = min(level for _, level in changes)
        target_seconds = target(severity)
        response_deadline = reference.deadline(spec, created, target_seconds)

    if first_response is None:
        response_seconds, response_status = None, None
    elif first_response < created:
        response_seconds, response_status = None, "invalid"
    else:
        response_seconds = reference.business_seconds(spec, created, first_response)
        response_status = "met" if response_seconds <= target_seconds else "breached"

    # Pauses: from an event whose state is a pause status to the next event whose state is
    # not; still paused at the last event means paused until resolution.
    pauses: list[tuple[int, int | None]] = []
    paused_since = None
    for event in events:
        if event.state in rules.pause_statuses and paused_since is None:
            paused_since = event.updated
        elif event.state not in rules.pause_statuses and paused_since is not None:
            pauses.append((paused_since, event.updated))
            paused_since = None
    if paused_since is not None:
        pauses.append((paused_since, None))

    if resolved is None:
        paused_seconds, resolution_seconds, resolution_status = None, None, None
    elif resolved < created:
        paused_seconds, resolution_seconds, resolution_status = 0, None, None
    else:
        paused_seconds = 0
        for begin, end in pauses:
            begin = max(begin, created)
            end = resolved if end is None else min(end, resolved)
            if end > begin:
                paused_seconds += reference.business_seconds(spec, begin, end)
        resolution_seconds = reference.business_seconds(spec, created, resolved) - paused_seconds
        if severity in rules.resolution_seconds:
            met = resolution_seconds <= rules.resolution_seconds[severity]
            resolution_status = "met" if met else "breached"
        else:
            resolution_status = None

    # Reopens: an event not Resolved/Closed right after one that was.
    reopen_count = 0
    for previous, event in itertools.pairwise(events):
        if previous.state in RESOLVED_STATES and event.state not in RESOLVED_STATES:
            reopen_count += 1

    vendor_sla = None
    customer = None
    for event in events:
        if event.made_sla is not None:
            vendor_sla = {"true": "met", "false": "breached"}.get(event.made_sla, event.made_sla)
        if event.caller is not None:
            customer = event.caller

    return {
        "severity": severity,
        "created_at": as_utc(created),
        "first_response_at": as_utc(first_response),
        "resolved_at": as_utc(resolved),
        "target_seconds": target_seconds,
        "response_deadline": as_utc(response_deadline),
        "response_business_seconds": response_seconds,
        "response_status": response_status,
        "resolution_business_seconds": resolution_seconds,
        "paused_business_seconds": paused_seconds,
        "resolution_status": resolution_status,
        "reopen_count": reopen_count,
        "event_count": len(events),
        "vendor_sla": vendor_sla,
        "customer": customer,
    }
