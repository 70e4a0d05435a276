"""Mapping an export by hand: the questions asked of a file, and the mapping the answers make."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.importer.event_mapping import EventAnswers
from dashboard.importer.formats import FIELDS, REQUIRED_FIELDS
from dashboard.importer.hand_mapping import (
    MAX_LABELS,
    NOT_IN_FILE,
    default_format_name,
    mapping_questions,
    parse_null_values,
)
from dashboard.importer.new_format import EventChoices, build_format
from dashboard.importer.prepare import prepare_file
from dashboard.importer.readers import read_table
from dashboard.timestamps import ISO8601
from tests.helpers import vendor_policy

POLICY = vendor_policy()
EXPORT = (
    "Ref;Client;Urgency;Logged;Replied\n"
    "R-1;Umbrella;Sev A;10/03/2026 09:00;10/03/2026 09:30\n"
    "R-2;Umbrella; Sev B ;10/03/2026 09:00;11/03/2026 09:30\n"
    "R-3;Umbrella;P2;10/03/2026 09:00;\n"
    "R-4;Umbrella;;10/03/2026 09:00;\n"
)
ANSWERED = {"case_id": "Ref", "customer": "Client", "severity": "Urgency",
            "created_at": "Logged", "first_response_at": "Replied"}  # fmt: skip


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "Helpdesk Export (March).csv"
    path.write_text(EXPORT)
    return mapping_questions(read_table(path))


def _columns(**chosen: str) -> dict[str, str]:
    """Every field, as the form hands them back: NOT_IN_FILE where none was chosen."""
    return {f: chosen.get(f, NOT_IN_FILE) for f in FIELDS}


def test_every_field_is_asked_and_the_required_ones_say_so(questions):
    assert [q.field for q in questions.columns] == list(FIELDS)
    labels = {q.field: q.label for q in questions.columns}
    assert labels["case_id"] == "case_id (required)"
    assert labels["customer"] == "customer"
    assert all(labels[f].endswith(" (required)") for f in REQUIRED_FIELDS)


def test_the_options_are_the_files_headers_after_not_in_this_file(questions):
    assert questions.column_options == (NOT_IN_FILE, "Ref", "Client", "Urgency", "Logged",
                                        "Replied")  # fmt: skip


def test_headers_are_guessed_by_name(questions):
    chosen = {q.field: questions.column_options[q.preselected] for q in questions.columns}
    assert chosen["case_id"] == "Ref"
    assert chosen["customer"] == "Client"
    assert chosen["severity"] == "Urgency"
    assert chosen["first_response_at"] == "Replied"
    assert chosen["plan"] == NOT_IN_FILE  # nothing like it: not preselected


def test_the_defaults_offered(questions):
    assert questions.default_name == "custom_helpdesk_export__march"
    assert questions.default_zone == "local"
    assert questions.default_timestamp_format == ISO8601


@pytest.mark.parametrize(
    ("file_name", "name"),
    [
        ("cases.csv", "custom_cases"),
        ("Zoë's Export.xlsx", "custom_zoë_s_export"),
        ("!!!.csv", "custom_export"),
        ("x" * 80 + ".csv", ("custom_" + "x" * 80)[:40]),
    ],
)
def test_the_default_format_name(tmp_path, file_name, name):
    assert default_format_name(tmp_path / file_name) == name


# -- severity labels -------------------------------------------------------------------------------


def test_no_labels_are_asked_before_a_severity_column_is_chosen(questions):
    assert questions.severity(_columns(case_id="Ref"), POLICY) is None


def test_each_distinct_label_is_asked_once_with_a_guess_where_the_policy_knows_it(questions):
    severity = questions.severity(_columns(severity="Urgency"), POLICY)
    assert severity.problem is None
    assert severity.column == "Urgency"
    # stripped, sorted, blanks left out
    assert [q.label for q in severity.labels] == ["P2", "Sev A", "Sev B"]
    assert severity.levels == (1, 2, 3, 4)
    guessed = {q.label: q.preselected for q in severity.labels}
    assert guessed == {"P2": severity.levels.index(2), "Sev A": None, "Sev B": None}
    assert severity.level_names == {1: "Level 1 - Urgent", 2: "Level 2 - High",
                                    3: "Level 3 - Medium", 4: "Level 4 - Low"}  # fmt: skip


def test_a_column_with_too_many_values_is_not_a_severity(tmp_path):
    rows = "".join(f"R-{i};Umbrella;label {i};10/03/2026 09:00;\n" for i in range(MAX_LABELS + 1))
    path = tmp_path / "wide.csv"
    path.write_text("Ref;Client;Urgency;Logged;Replied\n" + rows)
    severity = mapping_questions(read_table(path)).severity(_columns(severity="Ref"), POLICY)
    assert severity.problem == (
        f"'Ref' holds {MAX_LABELS + 1} different values: choose the column that holds the "
        "priority or severity"
    )
    assert severity.labels == ()


# -- answers ---------------------------------------------------------------------------------------


def _answer(questions, columns, levels, **settings):
    return questions.answer(
        columns=columns,
        levels=levels,
        timestamp_format=settings.get("timestamp_format", "%d/%m/%Y %H:%M"),
        zone=settings.get("zone", "local"),
        name=settings.get("name", "custom_helpdesk"),
        null_values=settings.get("null_values", ""),
    )


def test_the_required_fields_not_chosen_are_still_needed(questions):
    answer = _answer(questions, _columns(customer="Client"), {})
    assert answer.choices is None
    assert answer.still_needed == REQUIRED_FIELDS


def test_labels_without_a_level_are_still_needed(questions):
    answer = _answer(questions, _columns(**ANSWERED), {"P2": 2, "Sev A": None, "Sev B": None})
    assert answer.choices is None
    assert answer.still_needed == ("a level for 'Sev A', 'Sev B'",)


def test_complete_answers_make_a_mapping_that_reads_the_file(questions, tmp_path):
    answer = _answer(
        questions,
        _columns(**ANSWERED),
        {"P2": 2, "Sev A": 1, "Sev B": 2},
        name="  my_desk ",
        zone="  ",
        timestamp_format=" %d/%m/%Y %H:%M ",
    )
    assert answer.still_needed == ()
    choices = answer.choices
    assert choices.name == "my_desk"
    assert choices.title == "Mapped on the Import page (Helpdesk Export (March).csv)"
    assert dict(choices.columns) == ANSWERED  # the fields not in the file are left out
    assert list(choices.columns) == [f for f in FIELDS if f in ANSWERED]  # in the fields' order
    assert dict(choices.severity_labels) == {"P2": 2, "Sev A": 1, "Sev B": 2}
    assert choices.zone == "local"  # blank: the policy's zone
    assert choices.timestamp_format == "%d/%m/%Y %H:%M"
    fmt, _ = build_format(choices)
    prepared = prepare_file(questions.table.path, POLICY, forced=fmt)
    assert len(prepared.validated.cases) == 3  # R-4 has no severity
    assert [r.case_id for r in prepared.validated.rejects] == ["R-4"]


def test_a_blank_timestamp_format_means_iso8601(questions):
    answer = _answer(questions, _columns(**ANSWERED), {"P2": 2, "Sev A": 1, "Sev B": 2},
                     timestamp_format="")  # fmt: skip
    assert answer.choices.timestamp_format == ISO8601


# -- cells meaning empty ---------------------------------------------------------------------------


def test_null_markers_the_file_has_are_offered_and_are_not_severity_labels(tmp_path):
    path = tmp_path / "nulls.csv"
    path.write_text(EXPORT.replace("R-4;Umbrella;;", "R-4;Umbrella;NULL;").replace(
        "R-3;Umbrella;P2;", "R-3;n/a;P2;"))  # fmt: skip
    questions = mapping_questions(read_table(path))
    assert questions.default_null_values == "NULL, n/a"  # as the file spells them
    severity = questions.severity(_columns(severity="Urgency"), POLICY, null_values="null")
    assert [q.label for q in severity.labels] == ["P2", "Sev A", "Sev B"]
    answer = _answer(questions, _columns(**ANSWERED), {"P2": 2, "Sev A": 1, "Sev B": 2},
                     null_values=" NULL, n/a,, NULL ")  # fmt: skip
    assert answer.choices.null_values == ("NULL", "n/a")


def test_no_null_markers_are_offered_for_a_file_without_them(questions):
    assert questions.default_null_values == ""
    assert parse_null_values("") == ()


# -- event logs (issue 12) -------------------------------------------------------------------------

HELPDESK = Path(__file__).resolve().parent.parent / "fixtures" / "helpdesk_process_mining.csv"
# The page's answers for the process-mining fixture (tests/importer/test_new_format.py makes the
# same mapping from its choices).
HELPDESK_COLUMNS = {"case_id": "Case ID", "customer": "customer", "severity": "seriousness_2",
                    "component": "product"}  # fmt: skip
HELPDESK_EVENTS = {"timestamp": "Complete Timestamp", "sequence": NOT_IN_FILE,
                   "activity": "Activity"}  # fmt: skip
HELPDESK_RULES = {
    "responded_activities": ["Take in charge ticket"],
    "resolved_activities": ["Resolve ticket"],
    "reopened_activities": ["Reopen ticket"],
    "paused_activities": ["Wait"],
    "resumed_activities": ["Take in charge ticket", "Resolve ticket"],
}


@pytest.fixture
def event_log():
    return mapping_questions(read_table(HELPDESK))


def test_a_file_whose_case_ids_repeat_looks_like_an_event_log(event_log, questions):
    assert event_log.looks_like_event_log
    assert not questions.looks_like_event_log


def test_an_event_logs_time_and_activity_columns_are_guessed_by_name(event_log):
    asked = {q.field: (q.label, event_log.column_options[q.preselected])
             for q in event_log.event_columns}  # fmt: skip
    assert asked == {
        "timestamp": ("event time (required)", "Complete Timestamp"),
        "sequence": ("sequence (breaks ties)", NOT_IN_FILE),
        "activity": ("activity", "Activity"),
    }
    assert event_log.default_null_values == "NULL"


@pytest.mark.parametrize(
    ("headers", "guessed"),
    [
        # ServiceNow's audit trail
        ("number,incident_state,sys_mod_count,sys_updated_at,priority,opened_at",
         {"timestamp": "sys_updated_at", "sequence": "sys_mod_count"}),
        # XES attribute names
        ("case:concept:name,concept:name,time:timestamp",
         {"timestamp": "time:timestamp", "activity": "concept:name"}),
        ("Ticket,Event,Time,Sequence,State",
         {"timestamp": "Time", "sequence": "Sequence", "activity": "Event"}),
    ],
)  # fmt: skip
def test_event_columns_are_guessed_for_the_usual_logs(tmp_path, headers, guessed):
    path = tmp_path / "log.csv"
    path.write_text(headers + "\n" + ",".join("x" for _ in headers.split(",")) + "\n")
    questions = mapping_questions(read_table(path))
    chosen = {q.field: questions.column_options[q.preselected] for q in questions.event_columns}
    assert {k: v for k, v in chosen.items() if v != NOT_IN_FILE} == guessed


def test_an_event_logs_creation_is_optional_and_its_first_response_not_a_column(event_log):
    asked = {q.field: q.label for q in event_log.column_questions(event_log=True)}
    assert "first_response_at" not in asked
    assert asked["created_at"] == "created_at"
    assert asked["case_id"] == "case_id (required)"
    assert event_log.column_questions(event_log=False) == event_log.columns


def test_the_activities_offered_are_the_activity_columns_values(event_log):
    asked = event_log.activities(HELPDESK_EVENTS)
    assert asked.problem is None
    assert asked.values == ("Assign seriousness", "Closed", "Reopen ticket", "Resolve ticket",
                            "Take in charge ticket", "Wait")  # fmt: skip
    assert [r.rule for r in asked.rules] == ["responded_activities", "resolved_activities",
                                             "reopened_activities", "paused_activities",
                                             "resumed_activities"]  # fmt: skip
    assert all(r.preselected == () for r in asked.rules)  # no guess: the user's to say
    assert event_log.activities({**HELPDESK_EVENTS, "activity": NOT_IN_FILE}) is None
    assert event_log.statuses(_columns(**HELPDESK_COLUMNS)) is None  # no status column


def _event_answer(questions, *, columns=None, events=None, rules=None, no_responses=False,
                  levels=None):  # fmt: skip
    return questions.answer(
        columns=_columns(**(HELPDESK_COLUMNS if columns is None else columns)),
        levels={"Value 2": 3, "Value 3": 2, "Value 4": 1} if levels is None else levels,
        timestamp_format="%Y/%m/%d %H:%M:%S.%f",
        zone="local",
        name="helpdesk_log",
        null_values="NULL",
        events=EventAnswers(
            HELPDESK_EVENTS if events is None else events,
            HELPDESK_RULES if rules is None else rules,
            no_responses=no_responses,
        ),
    )


def test_an_event_log_answered_makes_a_mapping_that_reads_the_log(event_log):
    answer = _event_answer(event_log)
    assert answer.still_needed == ()
    choices = answer.choices
    assert dict(choices.columns) == HELPDESK_COLUMNS  # no created_at: the first event creates
    assert choices.null_values == ("NULL",)
    assert choices.events == EventChoices(
        timestamp="Complete Timestamp",
        activity="Activity",
        responded_activities=("Take in charge ticket",),
        resolved_activities=("Resolve ticket",),
        reopened_activities=("Reopen ticket",),
        paused_activities=("Wait",),
        resumed_activities=("Take in charge ticket", "Resolve ticket"),
    )
    prepared = prepare_file(HELPDESK, POLICY, forced=build_format(choices)[0])
    assert len(prepared.validated.cases) == 3
    assert prepared.validated.rejects == []


def test_a_first_response_column_chosen_before_is_left_out_of_an_event_log(event_log):
    columns = {**HELPDESK_COLUMNS, "first_response_at": "Complete Timestamp"}
    assert "first_response_at" not in _event_answer(event_log, columns=columns).choices.columns


def test_an_event_log_still_needs_its_time_column_case_id_and_severity(event_log):
    answer = _event_answer(
        event_log, columns={"customer": "customer"}, events={"activity": "Activity"}, levels={}
    )
    assert answer.choices is None
    assert answer.still_needed == ("case_id", "severity", "the event time column")
