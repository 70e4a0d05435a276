"""Mapping an event log by hand: the rules offered from a column's values, and what the answers
still need before they make an [events] table (formats.py refuses the rest)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.importer.event_mapping import (
    MAX_VALUES,
    NO_RESPONSE_RULE,
    EventAnswers,
    event_choices,
    values_question,
)
from dashboard.importer.new_format import EventChoices

NOT_IN_FILE = "(not in this file)"
COLUMNS = {"timestamp": "When", "sequence": NOT_IN_FILE, "activity": "What"}
FRAME = pd.DataFrame(
    {
        "What": ["Open", " Reply ", "Wait", "Reply", "", "NULL", "Solve"],
        "State": ["New", "New", "Active", "On hold", "Resolved", "Closed", "closed"],
    },
    dtype="str",
)


def _choices(rules, *, columns=COLUMNS, no_responses=False, has_status=False):
    return event_choices(
        EventAnswers(columns, rules, no_responses=no_responses),
        not_in_file=NOT_IN_FILE,
        has_status=has_status,
    )


# -- the values offered ----------------------------------------------------------------------------


def test_an_activity_columns_values_are_offered_once_stripped_without_empties():
    asked = values_question(FRAME, "What", of="activity", null_values=["null"])
    assert asked.column == "What"
    assert asked.values == ("Open", "Reply", "Solve", "Wait")
    assert [r.rule for r in asked.rules] == ["responded_activities", "resolved_activities",
                                             "reopened_activities", "paused_activities",
                                             "resumed_activities"]  # fmt: skip


def test_a_status_columns_rules_are_guessed_from_servicenows_words():
    asked = values_question(FRAME, "State", of="status", null_values=[])
    assert asked.values == ("Active", "Closed", "New", "On hold", "Resolved", "closed")
    guessed = {r.rule: r.preselected for r in asked.rules}
    assert guessed == {"responded_when_status_not": ("New",),
                       "resolved_statuses": ("Closed", "Resolved", "closed")}  # fmt: skip


@pytest.mark.parametrize(
    ("of", "says"), [("activity", "what happened in each event"), ("status", "each event's status")]
)
def test_a_column_with_too_many_values_is_not_offered(of, says):
    frame = pd.DataFrame({"Id": [f"C-{i}" for i in range(MAX_VALUES + 1)]}, dtype="str")
    asked = values_question(frame, "Id", of=of, null_values=[])
    assert asked.problem == (
        f"'Id' holds {MAX_VALUES + 1} different values: choose the column that says {says}"
    )
    assert asked.values == ()
    assert asked.rules == ()


# -- what the answers still need -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "columns", "no_responses", "has_status", "needed"),
    [
        # a first-response rule, or the user's word that there is none
        ({}, COLUMNS, False, False, [NO_RESPONSE_RULE]),
        ({"resolved_activities": ["Solve"]}, COLUMNS, False, False, [NO_RESPONSE_RULE]),
        ({"responded_activities": ["Reply"]}, COLUMNS, True, False,
         ["first-response rules or 'no responses recorded', not both"]),
        # the columns the rules read
        ({"responded_activities": ["Reply"]}, {**COLUMNS, "timestamp": NOT_IN_FILE}, False,
         False, ["the event time column"]),
        ({"responded_activities": ["Reply"]}, {**COLUMNS, "activity": NOT_IN_FILE}, False,
         False, ["an activity column (the rules name activities)"]),
        ({"responded_when_status_not": ["New"]}, COLUMNS, False, False,
         ["a status column (the rules name statuses)"]),
        # a pause needs its end, and an activity cannot be both
        ({"responded_activities": ["Reply"], "paused_activities": ["Wait"]}, COLUMNS, False,
         False,
         ["the activities that start the resolution clock again (a pause needs both)"]),
        ({"responded_activities": ["Reply"], "resumed_activities": ["Reply"]}, COLUMNS, False,
         False, ["the activities that stop the resolution clock (resuming needs a pause)"]),
        ({"responded_activities": ["Reply"], "paused_activities": ["Wait", "Open"],
          "resumed_activities": ["Open", "Reply"]}, COLUMNS, False, False,
         ["activities that either pause or resume, not both: 'Open'"]),
    ],
)  # fmt: skip
def test_what_an_event_log_still_needs(rules, columns, no_responses, has_status, needed):
    choices, still_needed = _choices(
        rules, columns=columns, no_responses=no_responses, has_status=has_status
    )
    assert choices is None
    assert still_needed == needed


def test_status_rules_alone_answer_with_a_status_column():
    rules = {"responded_when_status_not": ["New"], "resolved_statuses": ["Resolved", "Closed"]}
    choices, needed = _choices(rules, columns={"timestamp": "When"}, has_status=True)
    assert needed == []
    assert choices == EventChoices(timestamp="When", responded_when_status_not=("New",),
                                   resolved_statuses=("Resolved", "Closed"))  # fmt: skip


def test_no_responses_recorded_is_an_answer():
    choices, needed = _choices({"resolved_activities": ["Solve"]}, no_responses=True)
    assert needed == []
    assert choices == EventChoices(timestamp="When", activity="What",
                                   resolved_activities=("Solve",))  # fmt: skip


def test_empty_rules_are_left_out_and_unknown_rules_are_a_bug():
    choices, _ = _choices({"responded_activities": ["Reply"], "reopened_activities": []})
    assert choices.reopened_activities == ()
    with pytest.raises(ValueError, match="not an event rule: responded_statuses"):
        _choices({"responded_statuses": ["New"]})
