"""Applying a mapping: the export's columns -> canonical text fields, with notes saying what was
taken from where and per-row problems for values only a mapping can explain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.errors import UnusableFileError
from dashboard.importer.formats import format_by_name, parse_format
from dashboard.importer.mapping import apply_format, parse_durations
from dashboard.importer.readers import RawTable, Reject, read_grid, table_from_grid
from tests.helpers import LONDON
from tests.importer.zammad_report import write_report

NAN = float("nan")


def _table(header, *rows, rejects=(), first_row=2):
    """A table as the reader makes it; records start on spreadsheet row `first_row`."""
    frame = pd.DataFrame([list(r) for r in rows], columns=list(header), dtype=str)
    if not rows:
        frame = pd.DataFrame({h: pd.Series([], dtype=str) for h in header})
    rows_at = np.arange(first_row, first_row + len(rows), dtype=np.int64)
    return RawTable(Path("export.csv"), list(header), frame, rows_at, list(rejects), "CSV", 1)


def _acme(**sections):
    """A custom mapping: Ticket / Prio / Opened, plus whatever a test adds."""
    raw = {
        "name": "acme",
        "detect": {"headers": ["Ticket"]},
        "columns": {"case_id": "Ticket", "severity": "Prio", "created_at": "Opened"},
        # A [channels] table, because a mapping without one trips a pandas deprecation
        # (see test_a_mapping_without_channels_keeps_values_lower_cased).
        "channels": {"web": "portal"},
    }
    raw.update(sections)
    return parse_format(raw, source="acme.toml")


def _map(table, fmt, zone=LONDON):
    if isinstance(fmt, str):
        fmt = format_by_name(fmt)
    return apply_format(table, fmt, zone=zone)


def _problems(mapped) -> list[str]:
    """Each row's problems found while mapping, joined; '' for a row without any."""
    per_row = zip(*mapped.problems, strict=True) if mapped.problems else []
    return ["; ".join(p for p in row if p) for row in per_row]


def _same(actual, expected) -> bool:
    """Float arrays equal, NaN where NaN is expected."""
    return np.allclose(np.asarray(actual, dtype=float), expected, equal_nan=True)


# -- columns: first non-empty alternative wins, per row -----------------------------------------


def test_alternatives_are_coalesced_per_row_first_non_empty_wins():
    fmt = _acme(columns={"case_id": "Ticket", "severity": "Prio", "created_at": "Opened",
                         "customer": ["Company", "Account"]})  # fmt: skip
    table = _table(
        ["Ticket", "Prio", "Opened", "Company", "Account"],
        ["1", "P1", "2026-03-02", "Acme", "Acme Holdings"],
        ["2", "P1", "2026-03-02", "", "Globex"],
        ["3", "P1", "2026-03-02", "-", "Initech"],  # a lone "-" is no value
        ["4", "P1", "2026-03-02", "", "-"],
    )
    mapped = _map(table, fmt)
    assert mapped.canonical["customer"].tolist() == ["Acme", "Globex", "Initech", ""]
    assert mapped.notes[0] == (
        "columns: case_id <- 'Ticket'; customer <- 'Company' else 'Account'; "
        "severity <- 'Prio'; created_at <- 'Opened'"
    )


@pytest.mark.parametrize(
    ("cell", "mapped"),
    [
        ("-", ""),
        (" ", ""),  # mapped cells are stripped (the reader leaves unmapped ones alone)
        (" - ", ""),
        ("--", "--"),
        ("-5", "-5"),
        ("a-b", "a-b"),
    ],
)
def test_only_a_lone_hyphen_means_no_value(cell, mapped):
    table = _table(["Ticket", "Prio", "Opened"], ["1", cell, "2026-03-02"])
    assert _map(table, _acme()).canonical["severity"].tolist() == [mapped]


def test_headers_are_matched_ignoring_case_spacing_and_underscores():
    table = _table(["TICKET", "prio", "opened"], ["1", "P1", "2026-03-02"])
    mapped = _map(table, _acme())
    assert mapped.canonical.loc[0, ["case_id", "severity", "created_at"]].tolist() == [
        "1",
        "P1",
        "2026-03-02",
    ]
    assert mapped.notes[0] == (
        "columns: case_id <- 'TICKET'; severity <- 'prio'; created_at <- 'opened'"
    )


def test_of_two_spellings_of_one_header_the_first_is_taken():
    table = _table(["Ticket", "Prio", "Opened", "ticket"], ["1", "P1", "2026-03-02", "other"])
    assert _map(table, _acme()).canonical["case_id"].tolist() == ["1"]


def test_fields_the_export_lacks_are_empty_and_listed():
    table = _table(["Id", "Priority", "Created at"], ["42", "High", "2026-03-02 09:15"])
    mapped = _map(table, "zendesk")
    assert set(mapped.canonical.columns) == {
        "case_id", "customer", "plan", "severity", "status", "channel", "component", "subject",
        "created_at", "first_response_at", "resolved_at", "dismissal_reason",
    }  # fmt: skip
    assert mapped.canonical.loc[0, ["customer", "plan", "resolved_at"]].tolist() == ["", "", ""]
    assert mapped.notes[:2] == [
        "columns: case_id <- 'Id'; severity <- 'Priority'; created_at <- 'Created at'",
        "not in this export: customer (looked for 'Organization', 'Requester domain'); "
        "status (looked for 'Status'); channel (looked for 'Via'); "
        "subject (looked for 'Subject'); resolved_at (looked for 'Solved at')",
    ]


# -- channels and statuses ----------------------------------------------------------------------


def test_channels_are_mapped_ignoring_case_unknown_ones_kept_lower_cased_and_listed():
    values = ["Web form", "MAIL", "voice", "Fax", "fax", "SMS", "", "-", "Phone call (incoming)"]
    table = _table(
        ["Id", "Priority", "Created at", "Via"],
        *[[str(i), "High", "2026-03-02", v] for i, v in enumerate(values)],
    )
    mapped = _map(table, "zendesk")
    assert mapped.canonical["channel"].tolist() == [
        "portal", "email", "phone", "fax", "fax", "sms", "", "", "phone",
    ]  # fmt: skip
    assert "channel values kept as written (not portal/email/phone/chat): 'fax' (2), 'sms' (1)" in (
        mapped.notes
    )


def test_no_note_when_every_channel_is_known():
    table = _table(["Id", "Priority", "Created at", "Via"], ["1", "High", "2026-03-02", "Chat"])
    mapped = _map(table, "zendesk")
    assert mapped.canonical["channel"].tolist() == ["chat"]
    assert not [n for n in mapped.notes if n.startswith("channel values")]


def test_a_mapping_without_channels_keeps_values_lower_cased():
    fmt = parse_format(
        {
            "name": "acme",
            "detect": {"headers": ["Ticket"]},
            "columns": {"case_id": "Ticket", "severity": "Prio", "created_at": "Opened",
                        "channel": "Via"},
        },
        source="acme.toml",
    )  # fmt: skip
    table = _table(["Ticket", "Prio", "Opened", "Via"], ["1", "P1", "2026-03-02", "Email"])
    assert _map(table, fmt).canonical["channel"].tolist() == ["email"]


def test_servicenow_status_codes_are_relabelled():
    table = _table(
        ["number", "priority", "opened_at", "state"],
        ["INC1", "2", "2026-03-02 09:00:00", "1"],
        ["INC2", "2", "2026-03-02 09:00:00", "6"],
        ["INC3", "2", "2026-03-02 09:00:00", "8"],
        ["INC4", "2", "2026-03-02 09:00:00", "9"],  # not a known code: kept
        ["INC5", "2", "2026-03-02 09:00:00", ""],
    )
    mapped = _map(table, "servicenow_rest")
    assert mapped.canonical["status"].tolist() == ["New", "Resolved", "Canceled", "9", ""]
    # Dismissal rules see the export's own value ("8"), not our label.
    assert mapped.canonical["dismissal_reason"].tolist() == ["", "", "other", "", ""]


def test_statuses_are_kept_as_written_without_a_statuses_table():
    table = _table(["Id", "Priority", "Created at", "Status"], ["1", "High", "2026-03-02", "Open"])
    assert _map(table, "zendesk").canonical["status"].tolist() == ["Open"]


# -- dismissal ----------------------------------------------------------------------------------


def test_the_reason_can_come_from_the_value_in_any_spelling():
    reasons = ["third-party", "Third Party", "not_flux", "Infrastructure access", "OTHER", ""]
    table = _table(
        ["case_id", "severity", "created_at", "dismissal_reason"],
        *[[f"C-{i}", "1", "2026-03-02T09:00:00Z", r] for i, r in enumerate(reasons)],
    )
    mapped = _map(table, "canonical")
    assert mapped.canonical["dismissal_reason"].tolist() == [
        "third_party", "third_party", "not_flux", "infrastructure_access", "other", "",
    ]  # fmt: skip
    assert _problems(mapped) == [""] * 6
    assert "dismissed: 1 infrastructure_access, 1 not_flux, 1 other, 2 third_party" in mapped.notes


def test_a_reason_from_the_value_that_is_not_a_reason_is_a_row_problem():
    table = _table(
        ["case_id", "severity", "created_at", "dismissal_reason"],
        ["C-1", "1", "2026-03-02T09:00:00Z", "spam"],
        ["C-2", "1", "2026-03-02T09:00:00Z", "not flux"],
    )
    mapped = _map(table, "canonical")
    assert mapped.canonical["dismissal_reason"].tolist() == ["", "not_flux"]
    assert _problems(mapped) == [
        "dismissal_reason 'spam' is not a dismissal reason (expected third_party, not_flux, "
        "infrastructure_access, other)",
        "",
    ]


def test_equals_ignores_case_and_the_first_matching_rule_wins():
    # canonical: rule 1 takes the reason column; rule 2 makes a "dismissed" status "other".
    table = _table(
        ["case_id", "severity", "created_at", "status", "dismissal_reason"],
        ["C-1", "1", "2026-03-02T09:00:00Z", "Dismissed", ""],
        ["C-2", "1", "2026-03-02T09:00:00Z", "DISMISSED", "third party"],
        ["C-3", "1", "2026-03-02T09:00:00Z", "resolved", ""],
        ["C-4", "1", "2026-03-02T09:00:00Z", "not dismissed", ""],
    )
    mapped = _map(table, "canonical")
    assert mapped.canonical["dismissal_reason"].tolist() == ["other", "third_party", "", ""]


FRESHDESK_TAGS = [
    # (Tags, Type) -> reason; the catch-all "out of scope" rule comes last
    ("out_of_scope_third_party", "", "third_party"),
    ("vip, out-of-scope: not flux, billing", "", "not_flux"),
    ("Out of Scope - Infra Access", "", "infrastructure_access"),
    ("out of scope", "", "other"),
    ("", "Out of scope third party", "third_party"),  # the Type column is looked at too
    ("scope creep", "Question", ""),
    ("", "", ""),
]


@pytest.mark.parametrize(("tags", "kind", "reason"), FRESHDESK_TAGS)
def test_matches_searches_the_rule_columns_in_rule_order(tags, kind, reason):
    table = _table(
        ["Ticket ID", "Priority", "Created time", "Tags", "Type"],
        ["1", "High", "2026-03-02 09:00:00", tags, kind],
    )
    assert _map(table, "freshdesk").canonical["dismissal_reason"].tolist() == [reason]


def test_rules_read_every_copy_of_a_repeated_header():
    # Jira writes "Labels" once per label; the reader names the copies "Labels (2)", ...
    header = ["Issue key", "Issue id", "Priority", "Created", "Status", "Resolution",
              "Labels", "Labels (2)", "Labels (3)"]  # fmt: skip
    table = _table(
        header,
        ["F-1", "1", "High", "x", "Done", "Done", "helm", "out-of-scope-third-party", ""],
        ["F-2", "2", "High", "x", "Done", "Won't Do", "", "", "out_of_scope_not_flux"],
        ["F-3", "3", "High", "x", "Done", "won't do", "helm", "", ""],
        ["F-4", "4", "High", "x", "Cancelled", "", "", "", ""],
        ["F-5", "5", "High", "x", "Done", "Duplicate", "out-of-scope", "", ""],
    )
    mapped = _map(table, "jira_service_management")
    # F-2: the not_flux label rule comes before the Won't Do rule, so it wins.
    # F-5: Jira's mapping has no catch-all "out of scope" label rule.
    assert mapped.canonical["dismissal_reason"].tolist() == [
        "third_party", "not_flux", "other", "other", "",
    ]  # fmt: skip
    assert "dismissed: 1 not_flux, 2 other, 1 third_party" in mapped.notes


def test_no_dismissal_note_when_nothing_is_dismissed():
    table = _table(["Id", "Priority", "Created at", "Tags"], ["1", "High", "2026-03-02", "vip"])
    mapped = _map(table, "zendesk")
    assert mapped.canonical["dismissal_reason"].tolist() == [""]
    assert not [n for n in mapped.notes if n.startswith("dismissed")]


# -- first response: a column, a duration after creation, or nothing ----------------------------


def test_first_response_from_a_column():
    table = _table(
        ["case_id", "severity", "created_at", "first_response_at"],
        ["C-1", "1", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"],
        ["C-2", "1", "2026-03-02T09:00:00Z", ""],
    )
    mapped = _map(table, "canonical")
    assert mapped.first_response_source == "export"
    assert mapped.canonical["first_response_at"].tolist() == ["2026-03-02T10:00:00Z", ""]
    assert mapped.response_known.tolist() == [True, True]  # C-2 is known to be unanswered
    assert np.isnan(mapped.first_response_offset).all()
    assert "first_response_at <- 'first_response_at'" in mapped.notes[0]


def test_first_response_from_minutes_after_creation():
    table = _table(
        ["Id", "Priority", "Created at", "First reply time in minutes"],
        ["1", "High", "2026-03-02 09:00", "90"],
        ["2", "High", "2026-03-02 09:00", ""],
        ["3", "High", "2026-03-02 09:00", "1:30"],
        ["4", "High", "2026-03-02 09:00", "soon"],
        ["5", "High", "2026-03-02 09:00", "-5"],
    )
    mapped = _map(table, "zendesk")
    assert mapped.first_response_source == "derived"
    assert _same(mapped.first_response_offset, [5400, NAN, 5400, NAN, -300])
    assert mapped.canonical["first_response_at"].tolist() == [""] * 5
    assert mapped.response_known.tolist() == [True] * 5
    assert "first_response_at <- created_at + 'First reply time in minutes'" in mapped.notes
    assert _problems(mapped) == [
        "",
        "",
        "",
        "First reply time in minutes 'soon' is not a duration",
        "First reply time in minutes '-5' is negative",
    ]


def test_an_overlong_duration_is_refused_for_its_length_not_parsed():
    """Issue 13: a value longer than any number is refused as such, quoting its start."""
    long = "9" * 1_000_000
    table = _table(
        ["Id", "Priority", "Created at", "First reply time in minutes"],
        ["1", "High", "2026-03-02 09:00", "90"],
        ["2", "High", "2026-03-02 09:00", long],
    )
    mapped = _map(table, "zendesk")
    assert _same(mapped.first_response_offset, [5400, NAN])
    too_long = "First reply time in minutes is 1,000,000 characters long (at most 200)"
    assert _problems(mapped) == ["", f"{too_long}: '{'9' * 57}...'"]


def test_first_response_from_hours_after_creation():
    table = _table(
        ["Ticket ID", "Priority", "Created time", "First response time (in hrs)"],
        ["1", "High", "2026-03-02 09:00:00", "1.5"],
        ["2", "High", "2026-03-02 09:00:00", "0:45"],  # a clock reading is hours and minutes
        ["3", "High", "2026-03-02 09:00:00", "2,25"],
    )
    mapped = _map(table, "freshdesk")
    assert mapped.first_response_source == "derived"
    assert _same(mapped.first_response_offset, [5400, 2700, 8100])
    assert "first_response_at <- created_at + 'First response time (in hrs)'" in mapped.notes


def test_a_first_response_column_is_preferred_to_a_duration():
    table = _table(
        ["Ticket ID", "Priority", "Created time", "Initial response time",
         "First response time (in hrs)"],
        ["1", "High", "2026-03-02 09:00:00", "2026-03-02 10:00:00", "1"],
    )  # fmt: skip
    mapped = _map(table, "freshdesk")
    assert mapped.first_response_source == "export"
    assert mapped.canonical["first_response_at"].tolist() == ["2026-03-02 10:00:00"]
    assert np.isnan(mapped.first_response_offset).all()


@pytest.mark.parametrize(
    ("fmt", "header", "note"),
    [
        (
            "servicenow",
            ["number", "priority", "opened_at"],
            "first_response_at: not in this export; response times cannot be scored for these "
            "cases",
        ),
        (
            "zammad",
            ["#", "Title", "State", "Priority", "Created At"],
            "first_response_at: not in this export (looked for 'First Response At'); response "
            "times cannot be scored for these cases",
        ),
    ],
)
def test_without_a_first_response_no_case_is_known(fmt, header, note):
    table = _table(header, *[[str(i)] * len(header) for i in range(3)])
    mapped = _map(table, fmt)
    assert mapped.first_response_source == ""
    assert mapped.response_known.tolist() == [False, False, False]
    assert note in mapped.notes


def test_a_recorded_flag_says_which_rows_came_without_first_responses():
    flags = ["true", "false", "FALSE", "0", "no", "", "yes"]
    table = _table(
        ["case_id", "severity", "created_at", "first_response_at", "response_recorded"],
        *[[f"C-{i}", "1", "2026-03-02T09:00:00Z", "", f] for i, f in enumerate(flags)],
    )
    mapped = _map(table, "canonical")
    assert mapped.response_known.tolist() == [True, False, False, False, False, True, True]
    assert (
        "4 case(s) come from an export without first responses: their response times cannot "
        "be scored"
    ) in mapped.notes


def test_a_recorded_flag_cannot_make_an_export_without_responses_known():
    fmt = _acme(first_response={"recorded": "Recorded"})
    table = _table(["Ticket", "Prio", "Opened", "Recorded"], ["1", "P1", "2026-03-02", "true"])
    assert _map(table, fmt).response_known.tolist() == [False]


def test_a_lone_hyphen_duration_means_not_answered():
    table = _table(
        ["Id", "Priority", "Created at", "First reply time in minutes"],
        ["1", "High", "2026-03-02 09:00", "-"],
    )
    mapped = _map(table, "zendesk")
    assert np.isnan(mapped.first_response_offset).all()
    assert _problems(mapped) == [""]


# -- time zones and footers ---------------------------------------------------------------------

ZAMMAD_HEADER = ["#", "Title", "State", "Priority", "Created At"]


def test_a_footer_row_is_removed_and_its_zone_used():
    table = _table(
        ZAMMAD_HEADER,
        ["72001", "Helm upgrade loops", "closed", "3 high", "2026-03-02 10:15"],
        ["72002", "Slow", "open", "2 normal", "2026-03-06 18:30"],
        ["Timezone: Europe/Berlin", "", "", "", ""],
        first_row=4,
    )
    mapped = _map(table, "zammad")
    assert mapped.zone.key == "Europe/Berlin"
    assert mapped.table.frame["#"].tolist() == ["72001", "72002"]
    assert mapped.table.row_numbers.tolist() == [4, 5]
    assert mapped.canonical["case_id"].tolist() == ["72001", "72002"]
    assert "row 6 names the export's time zone: times are read in Europe/Berlin" in mapped.notes


def test_a_footer_naming_an_unknown_zone_refuses_the_file():
    # Reading the times in some other zone would shift every one of them, silently.
    table = _table(
        ZAMMAD_HEADER,
        ["72001", "Helm", "closed", "3 high", "2026-03-02 10:15"],
        ["Zeitzone: Mars/Olympus", "", "", "", ""],
    )
    with pytest.raises(UnusableFileError, match=r"row 3 names the time zone 'Mars/Olympus', "
                       r"which is not a known zone; give the zone with --timezone"):  # fmt: skip
        _map(table, "zammad")


def test_a_footer_in_any_language_names_the_zone():
    table = _table(
        ZAMMAD_HEADER,
        ["72001", "Helm", "closed", "3 high", "2026-03-02 10:15"],
        ["Tijdzone: Europe/Amsterdam", "", "", "", ""],
    )
    mapped = _map(table, "zammad")
    assert mapped.zone.key == "Europe/Amsterdam"
    assert len(mapped.table.frame) == 1


def test_a_footer_must_stand_alone_on_its_row():
    table = _table(ZAMMAD_HEADER, ["Timezone: Europe/Berlin", "Helm", "closed", "3 high", "x"])
    mapped = _map(table, "zammad")
    assert len(mapped.table.frame) == 1
    assert mapped.zone == LONDON
    assert (
        "no time-zone footer found: times without an offset are read in Europe/London"
    ) in mapped.notes


def test_a_zammad_workbook_loses_its_footer_and_keeps_its_tickets(tmp_path):
    grid = read_grid(write_report(tmp_path / "tickets.xls", zone="Europe/Berlin"))
    mapped = _map(table_from_grid(grid, 1), "zammad")
    assert mapped.canonical["case_id"].tolist() == ["72001", "72002", "72003", "72004", "72005"]
    assert mapped.zone.key == "Europe/Berlin"
    assert mapped.canonical["dismissal_reason"].tolist() == ["", "", "other", "not_flux", ""]
    assert mapped.canonical["customer"].tolist()[2] == ""  # Zammad's "-"


@pytest.mark.parametrize(
    ("fmt", "header", "zone", "note"),
    [
        (
            "servicenow_rest",
            ["number", "priority", "opened_at"],
            "UTC",
            "times without an offset are read in UTC, as this export writes",
        ),
        (
            "zendesk",
            ["Id", "Priority", "Created at"],
            "Europe/London",
            "times without an offset are read in Europe/London",
        ),
    ],
)
def test_a_fixed_zone_or_the_local_one(fmt, header, zone, note):
    mapped = _map(_table(header, ["1", "2", "2026-03-02 09:00:00"]), fmt)
    assert mapped.zone.key == zone
    assert note in mapped.notes


def test_without_its_footer_a_mapping_falls_back_to_its_own_zone():
    fmt = _acme(timestamps={"zone": "UTC", "footer": r"TZ: (?P<zone>\S+)"})
    table = _table(["Ticket", "Prio", "Opened"], ["1", "P1", "2026-03-02 09:00"])
    assert _map(table, fmt).zone.key == "UTC"


# -- the helpdesk's own figures -----------------------------------------------------------------


def test_vendor_minutes_are_kept_as_numbers():
    table = _table(
        ["Id", "Priority", "Created at", "First reply time in minutes",
         "First reply time in minutes within business hours"],
        ["1", "High", "2026-03-02", "90", "45"],
        ["2", "High", "2026-03-02", "1,5", ""],
        ["3", "High", "2026-03-02", "", "n/a"],
    )  # fmt: skip
    mapped = _map(table, "zendesk")
    assert _same(mapped.vendor["response_minutes"], [90, 1.5, NAN])
    assert _same(mapped.vendor["response_business_minutes"], [45, NAN, NAN])
    assert mapped.vendor["sla"].tolist() == ["", "", ""]
    assert (
        "First reply time in minutes within business hours: 1 values are not durations (kept empty)"
    ) in mapped.notes
    assert mapped.notes[-1] == (
        "kept the helpdesk's own figures for reconciliation: 'First reply time in minutes', "
        "'First reply time in minutes within business hours'"
    )


def test_freshdesks_hours_are_its_wall_clock_minutes_and_minutes_come_first():
    table = _table(
        ["Ticket ID", "Priority", "Created time", "First response time (in hrs)"],
        ["1", "High", "x", "1.58"],
        ["2", "High", "x", ""],
    )
    assert _same(_map(table, "freshdesk").vendor["response_minutes"], [94.8, NAN])
    fmt = _acme(vendor={"response_minutes": "Minutes", "response_hours": "Hours"})
    table = _table(["Ticket", "Prio", "Opened", "Minutes", "Hours"], ["1", "P1", "x", "30", "2"])
    mapped = _map(table, fmt)
    assert _same(mapped.vendor["response_minutes"], [30])  # the minutes, not 2 h
    assert mapped.notes[-1] == "kept the helpdesk's own figures for reconciliation: 'Minutes'"
    only_hours = _table(["Ticket", "Prio", "Opened", "Hours"], ["1", "P1", "x", "2"])
    assert _same(_map(only_hours, fmt).vendor["response_minutes"], [120])


def test_vendor_verdicts_become_met_or_breached():
    table = _table(
        ["Ticket ID", "Priority", "Created time", "First response status"],
        ["1", "High", "x", "Within SLA"],
        ["2", "High", "x", "SLA VIOLATED"],
        ["3", "High", "x", ""],
        ["4", "High", "x", "Pending"],  # neither: kept lower-cased
    )
    mapped = _map(table, "freshdesk")
    assert mapped.vendor["sla"].tolist() == ["met", "breached", "", "pending"]


def test_servicenow_made_sla_is_its_verdict():
    table = _table(
        ["number", "priority", "opened_at", "made_sla"],
        ["INC1", "2 - High", "x", "true"],
        ["INC2", "2 - High", "x", "false"],
    )
    assert _map(table, "servicenow").vendor["sla"].tolist() == ["met", "breached"]


def test_the_sign_of_the_time_remaining_is_the_verdict():
    table = _table(
        [*ZAMMAD_HEADER, "First Response In Min", "First Response Diff In Min"],
        ["1", "t", "closed", "3 high", "x", "95", "385"],
        ["2", "t", "closed", "3 high", "x", "90", "-30"],
        ["3", "t", "closed", "3 high", "x", "60", "0"],
        ["4", "t", "open", "3 high", "x", "", ""],
    )
    mapped = _map(table, "zammad")
    assert mapped.vendor["sla"].tolist() == ["met", "breached", "met", ""]
    assert _same(mapped.vendor["response_business_minutes"], [95, 90, 60, NAN])


def test_a_verdict_column_comes_before_the_time_remaining():
    fmt = _acme(vendor={"sla": "SLA", "sla_met": ["ok"], "sla_breached": ["late"],
                        "sla_remaining": "Remaining"})  # fmt: skip
    table = _table(
        ["Ticket", "Prio", "Opened", "SLA", "Remaining"],
        ["1", "P1", "x", "ok", "-10"],
        ["2", "P1", "x", "", "-10"],
        ["3", "P1", "x", "late", "10"],
    )
    assert _map(table, fmt).vendor["sla"].tolist() == ["met", "breached", "breached"]


def test_no_vendor_note_without_vendor_columns():
    mapped = _map(_table(["Ticket", "Prio", "Opened"], ["1", "P1", "x"]), _acme())
    assert _same(mapped.vendor["response_minutes"], [NAN])
    assert mapped.vendor["sla"].tolist() == [""]
    assert not [n for n in mapped.notes if n.startswith("kept the helpdesk")]


# -- parse_durations ----------------------------------------------------------------------------

DURATIONS = [
    # plain numbers are in the unit
    ("90", 90.0, False),
    ("1.5", 1.5, False),
    ("1,5", 1.5, False),  # a decimal comma
    ("-6", -6.0, False),
    ("+2", 2.0, False),
    (" 7 ", 7.0, False),
    ("0", 0.0, False),
]
CLOCKS = [
    # a clock reading is hours:minutes[:seconds], whatever the unit
    ("1:30", 5400, False),
    ("01:30:00", 5400, False),
    ("0:00:45", 45, False),
    ("-0:30", -1800, False),
]
UNREADABLE = [
    ("", NAN, False),  # empty is not bad, just absent
    ("abc", NAN, True),
    ("1:5", NAN, True),
    ("1.2.3", NAN, True),
    ("90 min", NAN, True),
    ("-", NAN, False),  # Zendesk and Zammad write "-" for "no value"
]


@pytest.mark.parametrize("unit", [60, 3600])
@pytest.mark.parametrize(("text", "number", "bad"), DURATIONS)
def test_a_number_is_a_count_of_the_unit(unit, text, number, bad):
    seconds, flagged = parse_durations(pd.Series([text]), unit)
    assert _same(seconds, [number * unit])
    assert flagged.tolist() == [bad]


@pytest.mark.parametrize("unit", [60, 3600])
@pytest.mark.parametrize(("text", "expected", "bad"), CLOCKS + UNREADABLE)
def test_a_clock_reading_or_nothing(unit, text, expected, bad):
    seconds, flagged = parse_durations(pd.Series([text]), unit)
    assert _same(seconds, [expected])
    assert flagged.tolist() == [bad]


def test_durations_read_a_whole_column_missing_values_included():
    seconds, bad = parse_durations(pd.Series(["90", None, "abc", "1:30"]), 60)
    assert _same(seconds, [5400, NAN, NAN, 5400])
    assert bad.tolist() == [False, False, True, False]


# -- records refused before mapping -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "case_id"),
    [
        ({"number": "INC0010009", "priority": "2 - High", "extra 1": "x"}, "INC0010009"),
        ({"Number": "INC0010008", "Priority": "1 - Critical"}, "INC0010008"),  # Excel labels
        ({"number": "", "priority": "2 - High"}, ""),
        ({}, ""),
    ],
)
def test_structural_rejects_get_their_case_id_from_the_mapped_column(fields, case_id):
    reason = "row has 5 fields but the header has 3 (an unquoted delimiter inside a value?)"
    table = _table(
        ["number", "priority", "opened_at"],
        ["INC0010001", "2 - High", "02/03/2026 09:00:00"],
        rejects=[Reject(7, "", reason, fields)],
    )
    [reject] = _map(table, "servicenow").structural_rejects
    assert reject == Reject(7, case_id, reason, fields)


def test_mapped_channels_and_verdicts_share_one_string_per_value():
    """Issue 16: a million rows made a million copies of 'portal' and of 'met' (55 MB each);
    the cells now share the mapping's strings, and the verdicts stay an object column."""
    fmt = _acme(vendor={"sla": "SLA", "sla_met": ["ok"], "sla_breached": ["late"],
                        "sla_remaining": "Remaining"}, columns={"case_id": "Ticket",
                        "severity": "Prio", "created_at": "Opened", "channel": "Via"})  # fmt: skip
    table = _table(
        ["Ticket", "Prio", "Opened", "Via", "SLA", "Remaining"],
        *[[str(i), "P1", "x", via, sla, left] for i, (via, sla, left) in enumerate(
            [("Web", "OK", ""), ("web", "late", "5"), ("Fax", "", "-5"), ("WEB", "", "3"),
             ("fax", "", ""), ("", "ok", "-1")] * 3)],
    )  # fmt: skip
    mapped = _map(table, fmt)
    assert mapped.canonical["channel"].tolist() == ["portal", "portal", "fax", "portal", "fax",
                                                    ""] * 3  # fmt: skip
    assert mapped.vendor["sla"].tolist() == ["met", "breached", "breached", "met", "", "met"] * 3
    assert mapped.vendor["sla"].dtype == object
    # one string a distinct cell as written ('Fax' and 'fax' lower to two), not one a cell
    assert len({id(v) for v in mapped.canonical["channel"].tolist()}) <= 4
    assert len({id(v) for v in mapped.vendor["sla"].tolist()}) <= 3
