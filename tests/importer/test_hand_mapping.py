"""Mapping an export by hand: the questions asked of a file, and the mapping the answers make."""

from __future__ import annotations

import pytest

from dashboard.importer.formats import FIELDS, REQUIRED_FIELDS
from dashboard.importer.hand_mapping import (
    MAX_LABELS,
    NOT_IN_FILE,
    default_format_name,
    mapping_questions,
)
from dashboard.importer.new_format import build_format
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
