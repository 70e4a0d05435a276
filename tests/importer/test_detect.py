"""Which export a file is, and where its header is, from its top rows alone."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard.importer.detect import detect_format, event_log_readers
from dashboard.importer.formats import FormatError, builtin_formats, format_by_name, parse_format
from dashboard.importer.readers import read_grid
from tests.importer.audit_log import write_audit_log
from tests.importer.zammad_report import write_report

KNOWN = (
    "canonical, freshdesk, jira_service_management, servicenow, servicenow_events, "
    "servicenow_rest, zammad, zendesk"
)


def _grid(tmp_path, text, name="export.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_grid(path)


def _acme(name, headers, **detect):
    return parse_format(
        {
            "name": name,
            "detect": {"headers": headers, **detect},
            "columns": {"case_id": "Ticket", "severity": "Prio", "created_at": "Opened"},
        },
        source=f"{name}.toml",
    )


# -- each built-in format, from a minimal but realistic export ----------------------------------

EXPORTS = [
    ("canonical", "case_id,customer,severity,created_at\nC-1,Acme,1,2026-03-02T09:00:00Z\n", 1),
    (
        "freshdesk",
        "Ticket ID,Subject,Status,Priority,Source,Created time\n"
        "1001,VPN down,Open,High,Email,02/03/2026 09:15:00\n",
        1,
    ),
    (
        "jira_service_management",
        "Summary,Issue key,Issue id,Priority,Labels,Labels,Created\n"
        "Ingress 502s,FLUX-12,10012,High,helm,,25/Feb/26 10:17 PM\n",
        1,
    ),
    # display values, field names as headers (CSV)
    (
        "servicenow",
        "number,short_description,priority,opened_at\n"
        "INC0010001,VPN down,2 - High,02/03/2026 09:15:00\n",
        1,
    ),
    # display values, field labels as headers (Excel)
    (
        "servicenow",
        "Number,Opened,Short description,Priority\n"
        "INC0010001,02/03/2026 09:15:00,VPN down,1 - Critical\n",
        1,
    ),
    # raw values from the REST Table API
    (
        "servicenow_rest",
        "sys_id,number,priority,opened_at,state\n"
        "9d385017c611228701d22104cc95c371,INC0010001,2,2026-03-02 09:15:00,2\n",
        1,
    ),
    (
        "zendesk",
        "Id,Subject,Priority,Created at,First reply time in minutes\n"
        "42,Login fails,High,2026-03-02 09:15,30\n",
        1,
    ),
    # a title row, a blank row, then the header on spreadsheet row 3
    (
        "zammad",
        "-all- (Created)\n\n#,Title,State,Priority,Created At\n"
        "72001,Helm upgrade loops,open,3 high,2026-03-02 10:15\n\nTimezone: Europe/Berlin\n",
        3,
    ),
    # headers are compared ignoring case, spacing, underscores and hyphens
    ("canonical", "Case ID,Severity,Created-At\nC-1,1,2026-03-02T09:00:00Z\n", 1),
]


@pytest.mark.parametrize(("name", "text", "header_row"), EXPORTS)
def test_each_builtin_format_is_recognised_from_its_headers(tmp_path, name, text, header_row):
    detection = detect_format(_grid(tmp_path, text), builtin_formats())
    assert (detection.format.name, detection.header_row, detection.forced) == (
        name,
        header_row,
        False,
    )


def test_the_header_below_a_title_is_found_and_explained(tmp_path):
    grid = _grid(
        tmp_path, "-all- (Created)\n\n#,Title,State,Priority,Created At\n1,x,open,3 high,\n"
    )
    detection = detect_format(grid, builtin_formats())
    # Blank rows are not in the grid: position 1 is spreadsheet row 3.
    assert (detection.header_position, detection.header_row) == (1, 3)
    assert detection.explanation == (
        "Zammad ticket report (zammad), detected from its headers, header on row 3"
    )


def test_a_zammad_workbook_is_recognised_below_its_title(tmp_path):
    grid = read_grid(write_report(tmp_path / "tickets.xls"))
    detection = detect_format(grid, builtin_formats())
    assert (detection.format.name, detection.header_row) == ("zammad", 3)


def test_a_header_deeper_than_the_format_searches_is_not_found(tmp_path):
    shallow = _acme("acme", ["Ticket", "Prio"], header_search_rows=1)
    grid = _grid(tmp_path, "Report\nTicket,Prio\n1,P1\n")
    with pytest.raises(FormatError, match="not an export format we know"):
        detect_format(grid, [shallow])
    deep = _acme("acme", ["Ticket", "Prio"], header_search_rows=2)
    assert detect_format(grid, [deep]).header_row == 2


# -- ServiceNow: the same headers, told apart by their priority values --------------------------

SERVICENOW_PRIORITIES = [
    # display values: "2 - High"
    (["2 - High", "1 - Critical"], "servicenow"),
    ([" 3 - Moderate", "", "5 - Planning"], "servicenow"),
    # raw choice codes: "2"
    (["2", "1"], "servicenow_rest"),
    (["3", "", "5"], "servicenow_rest"),
]


@pytest.mark.parametrize(("priorities", "name"), SERVICENOW_PRIORITIES)
def test_servicenow_exports_are_told_apart_by_their_priority_values(tmp_path, priorities, name):
    rows = "".join(f"INC{i},{p},2026-03-02 09:00:00,id{i}\n" for i, p in enumerate(priorities))
    grid = _grid(tmp_path, "number,priority,opened_at,sys_id\n" + rows)
    assert detect_format(grid, builtin_formats()).format.name == name


def test_one_priority_off_the_pattern_means_not_that_export(tmp_path):
    grid = _grid(
        tmp_path,
        "number,priority,opened_at,sys_id\nINC1,2,2026-03-02,a\nINC2,2 - High,2026-03-02,b\n",
    )
    with pytest.raises(FormatError, match="not an export format we know"):
        detect_format(grid, builtin_formats())


# -- a format the user chose --------------------------------------------------------------------


def test_a_forced_format_is_used_and_says_so(tmp_path):
    grid = _grid(tmp_path, "Report\n\n#,Title,State,Priority,Created At\n1,x,open,3 high,\n")
    detection = detect_format(grid, builtin_formats(), forced=format_by_name("zammad"))
    assert (detection.format.name, detection.header_row, detection.forced) == ("zammad", 3, True)
    assert detection.explanation == "Zammad ticket report (zammad), as requested, header on row 3"


def test_a_forced_format_wins_over_detection(tmp_path):
    # Also a canonical header; the user's choice decides, not the number of headers matched.
    both = _acme("acme", ["case_id"])
    grid = _grid(tmp_path, "case_id,severity,created_at\nC-1,1,2026-03-02\n")
    detection = detect_format(grid, builtin_formats(), forced=both)
    assert (detection.format.name, detection.forced) == ("acme", True)


def test_a_forced_format_whose_headers_are_missing_names_them(tmp_path):
    grid = _grid(tmp_path, "case_id,priority,opened\nC-1,1,2026-03-02\n")
    with pytest.raises(FormatError) as caught:
        detect_format(grid, builtin_formats(), forced=format_by_name("canonical"))
    assert str(caught.value) == (
        f"{grid.path}: does not fit the canonical format (SLA dashboard canonical CSV): row 1 "
        "lacks 'severity', 'created_at'"
    )


def test_a_forced_format_names_the_first_of_each_header_alternatives(tmp_path):
    grid = _grid(tmp_path, "Number,Short description\nINC1,VPN down\n")
    with pytest.raises(FormatError) as caught:
        detect_format(grid, builtin_formats(), forced=format_by_name("servicenow"))
    assert str(caught.value).endswith("row 1 lacks 'priority', 'opened_at'")


def test_a_forced_refusal_does_not_repeat_the_word_export(tmp_path):
    grid = _grid(tmp_path, "Ticket,Subject\n1,x\n")
    with pytest.raises(FormatError) as caught:
        detect_format(grid, builtin_formats(), forced=format_by_name("zendesk"))
    assert "export export" not in str(caught.value)


def test_a_forced_format_is_taken_at_its_word_on_values(tmp_path):
    # Value patterns only tell apart formats that share headers; a user's choice overrides them.
    grid = _grid(tmp_path, "number,priority,opened_at\nINC1,2,2026-03-02 09:00:00\n")
    detection = detect_format(grid, builtin_formats(), forced=format_by_name("servicenow"))
    assert (detection.format.name, detection.forced) == ("servicenow", True)


# -- nothing fits, or too much fits -------------------------------------------------------------


def test_an_unknown_header_names_the_closest_format_and_what_it_lacks(tmp_path):
    grid = _grid(tmp_path, "Ticket ID,Priority,Created\n1,High,2026-03-02\n")
    with pytest.raises(FormatError) as caught:
        detect_format(grid, builtin_formats())
    assert str(caught.value) == (
        f"{grid.path}: not an export format we know (row 1 has 'Ticket ID', 'Priority', "
        "'Created'); closest is Freshdesk ticket export, which would need 'Created time'; "
        f"use --format NAME (one of {KNOWN}) or --map FILE"
    )


def test_a_long_unknown_header_is_shown_shortened(tmp_path):
    header = ",".join(f"h{i}" for i in range(1, 11))
    grid = _grid(tmp_path, header + "\n" + ",".join("x" * 10) + "\n")
    with pytest.raises(FormatError) as caught:
        detect_format(grid, builtin_formats())
    shown = ", ".join(f"'h{i}'" for i in range(1, 9))
    assert f"(row 1 has {shown}, ...); closest is " in str(caught.value)


def test_headers_that_fit_but_values_that_do_not_are_explained(tmp_path):
    # A ServiceNow REST export fetched without sys_id: raw priorities, display-export headers.
    grid = _grid(tmp_path, "number,priority,opened_at\nINC1,2,2026-03-02 09:00:00\n")
    with pytest.raises(FormatError) as caught:
        detect_format(grid, builtin_formats())
    message = str(caught.value)
    assert "which would need ;" not in message
    assert "priority" in message.split("closest is", 1)[1]


def test_the_format_naming_more_headers_wins(tmp_path):
    broad = _acme("broad", ["Ticket", "Prio"])
    narrow = _acme("narrow", ["Ticket", "Prio", "Opened"])
    grid = _grid(tmp_path, "Ticket,Prio,Opened\n1,P1,2026-03-02\n")
    assert detect_format(grid, [broad, narrow]).format.name == "narrow"


def test_two_formats_equally_sure_of_a_header_are_refused(tmp_path):
    one = _acme("acme_one", ["Ticket", "Prio"])
    other = _acme("acme_other", ["Ticket", "Opened"])
    grid = _grid(tmp_path, "Ticket,Prio,Opened\n1,P1,2026-03-02\n")
    with pytest.raises(FormatError) as caught:
        detect_format(grid, [one, other])
    assert str(caught.value) == (
        f"{grid.path}: the headers fit several formats (acme_one and acme_other); "
        "choose one with --format NAME"
    )


def test_a_tie_is_settled_by_forcing_one(tmp_path):
    one = _acme("acme_one", ["Ticket", "Prio"])
    other = _acme("acme_other", ["Ticket", "Opened"])
    grid = _grid(tmp_path, "Ticket,Prio,Opened\n1,P1,2026-03-02\n")
    assert detect_format(grid, [one, other], forced=other).format.name == "acme_other"


# -- which event-log formats read a file a per-case format refuses ------------------------------


def test_the_event_log_formats_recognising_the_headers_are_found(tmp_path):
    grid = read_grid(write_audit_log(tmp_path / "audit.csv"))
    readers = event_log_readers(grid, builtin_formats(), 0)
    assert [f.name for f in readers] == ["servicenow_events"]  # not the per-case servicenow
    assert event_log_readers(grid, builtin_formats(), 1) == []  # not the header there


def test_no_event_log_format_reads_a_per_case_export(tmp_path):
    grid = _grid(tmp_path, "case_id,customer,severity,created_at\nC-1,Acme,1,2026-03-02\n")
    assert event_log_readers(grid, builtin_formats(), 0) == []
    events = dataclasses.replace(_acme("acme_events", ["case_id", "severity"]), kind="events")
    assert event_log_readers(grid, [*builtin_formats(), events], 0) == [events]
