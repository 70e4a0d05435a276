"""A mapping made from a user's choices reads the export it was made for, and every later one."""

from __future__ import annotations

import tomllib

import pytest

from dashboard.importer.formats import FormatError, load_format
from dashboard.importer.new_format import (
    MappingChoices,
    build_format,
    format_document,
    save_format,
    suggest_columns,
    to_toml,
)
from dashboard.importer.prepare import prepare_file
from tests.helpers import vendor_policy

HEADERS = ["Ticket #", "Org", "Prio", "Opened (UTC)", "First reply", "Closed", "Why closed"]
EXPORT = (
    "Ticket #,Org,Prio,Opened (UTC),First reply,Closed,Why closed\n"
    "T-1,Acme,Sev A,02/03/2026 09:00,02/03/2026 10:30,,\n"
    "T-2,Globex,Sev C,02/03/2026 17:30,03/03/2026 09:15,04/03/2026 12:00,not_flux\n"
)
CHOICES = MappingChoices(
    name="homegrown_desk",
    title="Our homegrown desk",
    columns={
        "case_id": "Ticket #",
        "customer": "Org",
        "severity": "Prio",
        "created_at": "Opened (UTC)",
        "first_response_at": "First reply",
        "resolved_at": "Closed",
        "dismissal_reason": "Why closed",
    },
    severity_labels={"Sev A": 1, "Sev B": 2, "Sev C": 3, "Sev D": 4},
    zone="UTC",
    timestamp_format="%d/%m/%Y %H:%M",
)


def test_headers_are_guessed_by_their_usual_names():
    guesses = suggest_columns(
        ["Ticket ID", "Company", "Priority", "Created", "First Response", "Resolved At", "Status"]
    )
    assert guesses == {
        "case_id": "Ticket ID", "customer": "Company", "severity": "Priority",
        "created_at": "Created", "first_response_at": "First Response",
        "resolved_at": "Resolved At", "status": "Status",
    }  # fmt: skip
    assert suggest_columns(HEADERS).get("customer") is None  # "Org" is not a name we know


def test_the_saved_mapping_imports_the_export_and_is_detected_next_time(tmp_path):
    export = tmp_path / "desk.csv"
    export.write_text(EXPORT)
    path = save_format(CHOICES, folder=tmp_path)
    assert path.name == "homegrown_desk.toml"
    assert load_format(path).title == "Our homegrown desk"
    prepared = prepare_file(export, vendor_policy(), forced=load_format(path))
    cases = prepared.validated.cases.frame.set_index("case_id")
    assert cases.loc["T-1", "severity"] == 1
    assert cases.loc["T-2", "severity"] == 3
    assert cases.loc["T-2", "dismissal_reason"] == "not_flux"
    assert prepared.validated.rejects == []


def test_the_toml_written_is_what_a_person_would_write():
    document = format_document(CHOICES)
    text = to_toml(document)
    assert tomllib.loads(text) == document
    assert '[severity]\n"Sev A" = 1' in text
    assert 'case_id = "Ticket #"' in text
    assert "[[dismissal]]" in text


def test_awkward_labels_survive_the_round_trip():
    labels = {'P1 "now"': 1, "back\\slash": 2, "tab\there": 3, "ünïcode": 4}
    choices = MappingChoices(**{**CHOICES.__dict__, "severity_labels": labels})
    fmt, text = build_format(choices)
    assert tomllib.loads(text)["severity"] == labels
    assert fmt.severity_labels == {k.lower(): v for k, v in labels.items()}


def test_required_fields_and_names_are_checked(tmp_path):
    with pytest.raises(FormatError, match="needs a column for created_at"):
        format_document(MappingChoices("x", "X", {"case_id": "a", "severity": "b"}))
    with pytest.raises(FormatError, match="name: must be a lower-case identifier"):
        build_format(MappingChoices(**{**CHOICES.__dict__, "name": "Our Desk"}))
    save_format(CHOICES, folder=tmp_path)
    with pytest.raises(FormatError, match="'homegrown_desk' exists already"):
        save_format(CHOICES, folder=tmp_path)
    with pytest.raises(FormatError, match="'zendesk' exists already"):
        save_format(MappingChoices(**{**CHOICES.__dict__, "name": "zendesk"}))
