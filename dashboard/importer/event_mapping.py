"""Mapping an event log by hand: what the Import page asks of a file with one row per event,
and the [events] table its answers make (docs/event-logs.md).

Besides the fields of any mapping, an event log needs the column saying when each event
happened (and may have a sequence breaking ties, an activity saying what happened, a status);
then, from the distinct values of the activity and status columns, which of them mean a first
response, a resolution, a reopen, a pause and its end. The answers are checked here, in plain
Python, and what is missing is said in words the page shows as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from dashboard.importer.formats import ACTIVITY_RULES, STATUS_RULES
from dashboard.importer.new_format import EVENT_COLUMNS, EventChoices

MAX_VALUES = 60  # distinct activities or statuses offered for the rules; more: a wrong column

EVENT_COLUMN_LABELS = {
    "timestamp": "event time (required)",
    "sequence": "sequence (breaks ties)",
    "activity": "activity",
}
# What each rule asks, in the order the form asks it.
RULE_LABELS = {
    "responded_activities": "First response: activities that answer the case",
    "resolved_activities": "Resolution: activities that resolve it (the last one counts)",
    "reopened_activities": "Reopen: activities that reopen it",
    "paused_activities": "Pause: activities that stop the resolution clock",
    "resumed_activities": "Resume: activities that start it again",
    "responded_when_status_not": "Not yet answered: statuses before the first response",
    "resolved_statuses": "Resolved: statuses that leaving counts as a reopen",
}
# First guesses among a status column's values (compared lower-cased): ServiceNow's words.
_STATUS_GUESSES = {
    "responded_when_status_not": {"new"},
    "resolved_statuses": {"resolved", "closed", "solved"},
}
NO_RESPONSE_RULE = (
    "a first-response rule: the activities that answer a case, or the statuses of a case not "
    "yet answered (or say that the log records no responses: its cases are then unscored)"
)


@dataclass(frozen=True)
class RuleQuestion:
    rule: str  # an [events] rule, e.g. "responded_activities"
    label: str
    preselected: tuple[str, ...] = ()  # the values guessed


@dataclass(frozen=True)
class ValuesQuestion:
    """Which of the distinct values of the activity (or status) column each rule names."""

    column: str
    values: tuple[str, ...] = ()
    rules: tuple[RuleQuestion, ...] = ()
    problem: str | None = None  # why no value is offered (the column cannot be that)


@dataclass(frozen=True)
class EventAnswers:
    """What the form says of an event log."""

    columns: Mapping[str, str]  # timestamp / sequence / activity -> header, or NOT_IN_FILE
    rules: Mapping[str, Sequence[str]] = field(default_factory=dict)  # rule -> values chosen
    no_responses: bool = False  # the user says the log records no responses: cases unscored


def distinct_values(frame: pd.DataFrame, column: str, null_values: Iterable[str]) -> list[str]:
    """A column's values, stripped and sorted, without blanks and cells meaning empty."""
    empty = {v.lower() for v in null_values}
    values = frame[column].str.strip()
    return sorted(v for v in values.unique() if v and v.lower() not in empty)


def values_question(
    frame: pd.DataFrame, column: str, *, of: str, null_values: Iterable[str]
) -> ValuesQuestion:
    """The rules asked of an activity (`of="activity"`) or status (`of="status"`) column."""
    values = distinct_values(frame, column, null_values)
    if len(values) > MAX_VALUES:
        what = "what happened in each event" if of == "activity" else "each event's status"
        return ValuesQuestion(
            column,
            problem=f"{column!r} holds {len(values):,} different values: choose the column "
            f"that says {what}",
        )
    rules = ACTIVITY_RULES if of == "activity" else STATUS_RULES
    return ValuesQuestion(
        column,
        values=tuple(values),
        rules=tuple(
            RuleQuestion(
                rule,
                RULE_LABELS[rule],
                tuple(v for v in values if v.lower() in _STATUS_GUESSES.get(rule, ())),
            )
            for rule in rules
        ),
    )


def event_choices(
    answers: EventAnswers, *, not_in_file: str, has_status: bool
) -> tuple[EventChoices | None, list[str]]:
    """The [events] table the answers make, or what is still needed (None and the reasons).
    `has_status`: a status column was chosen among the fields."""
    header = {k: v for k, v in answers.columns.items() if k in EVENT_COLUMNS and v != not_in_file}
    rules = {rule: tuple(values) for rule, values in answers.rules.items() if values}
    unknown = set(rules) - {*ACTIVITY_RULES, *STATUS_RULES}
    if unknown:
        raise ValueError(f"not an event rule: {', '.join(sorted(unknown))}")
    needed: list[str] = []
    if "timestamp" not in header:
        needed.append("the event time column")
    if any(r in rules for r in ACTIVITY_RULES) and "activity" not in header:
        needed.append("an activity column (the rules name activities)")
    if any(r in rules for r in STATUS_RULES) and not has_status:
        needed.append("a status column (the rules name statuses)")
    responds = "responded_activities" in rules or "responded_when_status_not" in rules
    if not responds and not answers.no_responses:
        needed.append(NO_RESPONSE_RULE)
    if responds and answers.no_responses:
        needed.append("first-response rules or 'no responses recorded', not both")
    paused, resumed = rules.get("paused_activities", ()), rules.get("resumed_activities", ())
    # formats.py refuses one without the other: a pause that never ends, or nothing to end.
    if paused and not resumed:
        needed.append("the activities that start the resolution clock again (a pause needs both)")
    if resumed and not paused:
        needed.append("the activities that stop the resolution clock (resuming needs a pause)")
    both = sorted(set(paused) & set(resumed))
    if both:
        needed.append(
            "activities that either pause or resume, not both: " + ", ".join(map(repr, both))
        )
    if needed:
        return None, needed
    return (
        EventChoices(
            timestamp=header["timestamp"],
            sequence=header.get("sequence"),
            activity=header.get("activity"),
            **rules,
        ),
        [],
    )
