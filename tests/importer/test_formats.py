"""Export mappings as data: the built-in files load, and a bad mapping is refused naming the
file, the key and the value."""

from __future__ import annotations

import copy
import re

import pytest

from dashboard.importer.formats import (
    FORMATS_DIR,
    FormatError,
    builtin_formats,
    format_by_name,
    load_format,
    normalise,
    parse_format,
    user_formats_dir,
)

BUILTIN_NAMES = [
    "canonical",
    "freshdesk",
    "jira_service_management",
    "servicenow",
    "servicenow_events",
    "servicenow_rest",
    "zammad",
    "zendesk",
]

# The smallest mapping parse_format accepts; each case below breaks one thing in it.
MINIMAL = {
    "name": "acme",
    "detect": {"headers": ["Ticket", "Prio", "Opened"]},
    "columns": {"case_id": "Ticket", "severity": "Prio", "created_at": "Opened"},
}
DROP = object()  # marks a key to remove from MINIMAL


def _mapping(**changes) -> dict:
    raw = copy.deepcopy(MINIMAL)
    for key, value in changes.items():
        if value is DROP:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


def _refusal(raw: dict) -> str:
    """The message parse_format refuses `raw` with, without the leading 'acme.toml: '."""
    with pytest.raises(FormatError) as caught:
        parse_format(raw, source="acme.toml")
    message = str(caught.value)
    assert message.startswith("acme.toml: "), message
    return message.removeprefix("acme.toml: ")


# -- the built-in mappings ----------------------------------------------------------------------


def test_every_builtin_mapping_loads_under_a_unique_name():
    formats = builtin_formats()
    names = [f.name for f in formats]
    assert names == BUILTIN_NAMES
    assert len(set(names)) == len(names)
    assert len(formats) == len(list(FORMATS_DIR.glob("*.toml")))
    for fmt in formats:
        assert fmt.source_file == str(FORMATS_DIR / f"{fmt.name}.toml")
        assert {"case_id", "severity", "created_at"} <= set(fmt.columns)


def test_the_users_formats_folder_is_sla_formats_dir_else_under_the_xdg_data_home(
    tmp_path, monkeypatch
):
    """Outside the package's tree, so an upgrade never loses what users saved (issue 13)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SLA_FORMATS_DIR")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    default = tmp_path / "home" / ".local" / "share" / "sla-dashboard" / "formats"
    assert user_formats_dir() == default
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # the XDG spec: ignored
    assert user_formats_dir() == default
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert user_formats_dir() == tmp_path / "data" / "sla-dashboard" / "formats"
    monkeypatch.setenv("SLA_FORMATS_DIR", str(tmp_path / "ours"))
    assert user_formats_dir() == tmp_path / "ours"
    assert not FORMATS_DIR.is_relative_to(user_formats_dir())


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_format_by_name_finds_each_builtin(name):
    assert format_by_name(name).name == name


def test_an_unknown_format_name_lists_the_known_ones():
    with pytest.raises(FormatError) as caught:
        format_by_name("zendsk")
    assert str(caught.value) == (
        "unknown format 'zendsk' (known: canonical, freshdesk, jira_service_management, "
        "servicenow, servicenow_events, servicenow_rest, zammad, zendesk)"
    )


def test_builtin_labels_and_values_are_compared_lower_cased():
    servicenow_rest = format_by_name("servicenow_rest")
    assert servicenow_rest.zone == "UTC"
    assert servicenow_rest.statuses["8"] == "Canceled"
    zendesk = format_by_name("zendesk")
    assert zendesk.severity_labels == {"urgent": 1, "high": 2, "normal": 3, "low": 4}
    assert zendesk.channels["phone call (incoming)"] == "phone"
    assert format_by_name("servicenow").vendor_sla_met == frozenset({"true"})


@pytest.mark.parametrize(
    ("row", "zone"),
    [
        ("Timezone: Europe/Berlin", "Europe/Berlin"),
        ("Zeitzone: Europe/Berlin", "Europe/Berlin"),
        ("time zone : America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Fuseau horaire: Etc/GMT+5", "Etc/GMT+5"),
    ],
)
def test_the_zammad_footer_names_its_zone_in_several_languages(row, zone):
    footer = format_by_name("zammad").footer
    assert footer.fullmatch(row)["zone"] == zone


# -- parse_format: what a valid mapping becomes -------------------------------------------------


def test_a_minimal_mapping_gets_the_defaults():
    fmt = parse_format(MINIMAL, source="acme.toml")
    assert (fmt.name, fmt.title, fmt.source_file) == ("acme", "acme", "acme.toml")
    assert fmt.detect_headers == (("Ticket",), ("Prio",), ("Opened",))
    assert fmt.header_search_rows == 10
    assert fmt.columns == {"case_id": ("Ticket",), "severity": ("Prio",), "created_at": ("Opened",)}
    assert (fmt.timestamp_formats, fmt.zone, fmt.footer) == (("ISO8601",), "local", None)
    assert fmt.dismissal == ()


def test_headers_are_stripped_and_alternatives_kept_in_order():
    fmt = parse_format(
        _mapping(
            detect={"headers": [" Ticket ", ["number", "Number"]]},
            columns={"case_id": ["number", " Number"], "severity": "P", "created_at": "O"},
        ),
        source="acme.toml",
    )
    assert fmt.detect_headers == (("Ticket",), ("number", "Number"))
    assert fmt.columns["case_id"] == ("number", "Number")


def test_labels_values_and_codes_are_stored_lower_cased_and_stripped():
    fmt = parse_format(
        _mapping(
            severity={" Urgent ": 1, "P2": 2},
            channels={"Web Form": "portal"},
            statuses={" OH ": " On Hold "},
            dismissal=[{"column": "State", "equals": "Won't Do", "reason": "other"}],
        ),
        source="acme.toml",
    )
    assert fmt.severity_labels == {"urgent": 1, "p2": 2}
    assert fmt.channels == {"web form": "portal"}
    assert fmt.statuses == {"oh": "On Hold"}
    [rule] = fmt.dismissal
    assert (rule.column, rule.equals, rule.reason) == (("State",), ("won't do",), "other")


def test_a_rule_taking_its_reason_from_the_value_needs_no_reason():
    fmt = parse_format(
        _mapping(dismissal=[{"column": "dismissal_reason", "reason_from_value": True}]),
        source="acme.toml",
    )
    assert fmt.dismissal[0].reason_from_value is True


@pytest.mark.parametrize("zone", ["local", "UTC", "America/New_York"])
def test_zone_may_be_local_or_any_iana_zone(zone):
    assert parse_format(_mapping(timestamps={"zone": zone}), source="acme.toml").zone == zone


# -- parse_format: refusals, each naming key and value ------------------------------------------

REFUSALS = [
    # unknown keys, at the top and in every table
    (
        _mapping(colour="red"),
        "colour: unknown key (expected one of: channels, columns, detect, dismissal, events, "
        "first_response, kind, name, null_values, severity, statuses, timestamps, title, vendor)",
    ),
    (
        _mapping(detect={"headers": ["a"], "header_rows": 3}),
        "detect.header_rows: unknown key (expected one of: header_search_rows, headers, values)",
    ),
    (
        _mapping(first_response={"col": "First reply"}),
        "first_response.col: unknown key (expected one of: column, hours_after_created, "
        "minutes_after_created, recorded)",
    ),
    (
        _mapping(vendor={"sla_ok": ["yes"]}),
        "vendor.sla_ok: unknown key (expected one of: response_business_minutes, "
        "response_hours, response_minutes, sla, sla_breached, sla_met, sla_remaining)",
    ),
    (
        _mapping(timestamps={"when": "always"}),
        "timestamps.when: unknown key (expected one of: footer, formats, zone)",
    ),
    (
        _mapping(dismissal=[{"column": "Tags", "equals": "x", "reason": "other", "why": "spam"}]),
        "dismissal #1.why: unknown key (expected one of: column, equals, matches, reason, "
        "reason_from_value)",
    ),
    # the first response is not a column like the others: it has its own table
    (
        _mapping(columns={**MINIMAL["columns"], "first_response_at": "Replied"}),
        "columns.first_response_at: unknown key (expected one of: case_id, channel, component, "
        "created_at, customer, dismissal_reason, plan, resolved_at, severity, status, subject)",
    ),
    # name and title
    (_mapping(name="Acme"), "name: must be a lower-case identifier such as 'zendesk' (got 'Acme')"),
    (_mapping(name=DROP), "name: must be a lower-case identifier such as 'zendesk'"),
    (_mapping(title=3), "title: must be a string (got 3)"),
    # detect
    (_mapping(detect={}), "detect.headers: missing: the headers that identify this export"),
    (_mapping(detect=DROP), "detect.headers: missing: the headers that identify this export"),
    (_mapping(detect={"headers": []}), "detect.headers: must be a non-empty list (got [])"),
    (
        _mapping(detect={"headers": "Ticket"}),
        "detect.headers: must be a non-empty list (got 'Ticket')",
    ),
    (
        _mapping(detect={"headers": ["Ticket", ["Prio", " "]]}),
        "detect.headers #2: must be a header name or a list of header names (got ['Prio', ' '])",
    ),
    (
        _mapping(detect={"headers": ["a"], "header_search_rows": 0}),
        "detect.header_search_rows: must be a positive whole number (got 0)",
    ),
    (
        _mapping(detect={"headers": ["a"], "header_search_rows": True}),
        "detect.header_search_rows: must be a positive whole number (got True)",
    ),
    # columns: the three required fields, and header names
    (
        _mapping(columns={"severity": "Prio", "created_at": "Opened"}),
        "columns.case_id: missing (required)",
    ),
    (
        _mapping(columns={"case_id": "Ticket", "created_at": "Opened"}),
        "columns.severity: missing (required)",
    ),
    (
        _mapping(columns={"case_id": "Ticket", "severity": "Prio"}),
        "columns.created_at: missing (required)",
    ),
    (
        _mapping(columns={**MINIMAL["columns"], "case_id": ""}),
        "columns.case_id: must be a header name or a list of header names (got '')",
    ),
    (
        _mapping(columns={**MINIMAL["columns"], "customer": []}),
        "columns.customer: must be a header name or a list of header names (got [])",
    ),
    (_mapping(columns="Ticket"), "columns: must be a table (got 'Ticket')"),
    # dismissal rules
    (
        _mapping(dismissal=[{"column": "Tags", "matches": "spam", "reason": "spam"}]),
        "dismissal #1.reason: must be one of third_party, not_flux, infrastructure_access, other "
        "(got 'spam')",
    ),
    (
        _mapping(dismissal=[{"column": "Tags", "equals": "x", "reason": "third-party"}]),
        "dismissal #1.reason: must be one of third_party, not_flux, infrastructure_access, other "
        "(got 'third-party')",
    ),
    (
        _mapping(dismissal=[{"column": "Tags", "matches": "spam"}]),
        "dismissal #1.reason: must be one of third_party, not_flux, infrastructure_access, other "
        "(got '')",
    ),
    (
        _mapping(dismissal=[{"column": "Tags", "reason": "other"}]),
        "dismissal #1: needs equals, matches or reason_from_value = true "
        "(got {'column': 'Tags', 'reason': 'other'})",
    ),
    (
        _mapping(
            dismissal=[
                {"column": "State", "equals": "removed", "reason": "other"},
                {"column": "Tags", "equals": [], "reason": "other"},
            ]
        ),
        "dismissal #2: needs equals, matches or reason_from_value = true "
        "(got {'column': 'Tags', 'equals': [], 'reason': 'other'})",
    ),
    (
        _mapping(dismissal=[{"column": "Tags", "equals": 3, "reason": "other"}]),
        "dismissal #1.equals: must be a value or a list of values (got 3)",
    ),
    (
        _mapping(dismissal=[{"matches": "spam", "reason": "other"}]),
        "dismissal #1.column: must be a header name or a list of header names",
    ),
    (
        _mapping(dismissal={"column": "Tags", "equals": "x", "reason": "other"}),
        "dismissal: must be an array of tables ([[dismissal]]) "
        "(got {'column': 'Tags', 'equals': 'x', 'reason': 'other'})",
    ),
    # channels, severities, statuses
    (
        _mapping(channels={"Fax": "fax"}),
        "channels.'Fax': must be one of portal, email, phone, chat, other (got 'fax')",
    ),
    (
        _mapping(channels={"Web": "Portal"}),
        "channels.'Web': must be one of portal, email, phone, chat, other (got 'Portal')",
    ),
    (_mapping(severity={"P1": 0}), "severity.'P1': must be a policy level (1, 2, ...) (got 0)"),
    (_mapping(severity={"P1": -1}), "severity.'P1': must be a policy level (1, 2, ...) (got -1)"),
    (_mapping(severity={"P1": "1"}), "severity.'P1': must be a policy level (1, 2, ...) (got '1')"),
    (_mapping(severity={"P1": 1.0}), "severity.'P1': must be a policy level (1, 2, ...) (got 1.0)"),
    # a TOML `true` is an int to Python; it is not level 1
    (
        _mapping(severity={"P1": True}),
        "severity.'P1': must be a policy level (1, 2, ...) (got True)",
    ),
    (_mapping(statuses={"1": " "}), "statuses.'1': must be a status label (got ' ')"),
    # first response and vendor figures
    (
        _mapping(first_response={"minutes_after_created": "Reply min", "hours_after_created": "h"}),
        "first_response: give minutes_after_created or hours_after_created, not both "
        "(got {'minutes_after_created': 'Reply min', 'hours_after_created': 'h'})",
    ),
    (_mapping(vendor={"sla_met": "yes"}), "vendor.sla_met: must be a list of values (got 'yes')"),
    # time zones
    (
        _mapping(timestamps={"zone": "Mars/Olympus"}),
        "timestamps.zone: must be 'local', 'footer' or an IANA time zone (got 'Mars/Olympus')",
    ),
    (
        _mapping(timestamps={"zone": "../etc/passwd"}),
        "timestamps.zone: must be 'local', 'footer' or an IANA time zone (got '../etc/passwd')",
    ),
    (
        _mapping(timestamps={"zone": 1}),
        "timestamps.zone: must be 'local', 'footer' or a time zone name (got 1)",
    ),
    (_mapping(timestamps={"zone": "footer"}), "timestamps.footer: needed when zone = 'footer'"),
    (
        _mapping(timestamps={"zone": "footer", "footer": r"Timezone: (\S+)"}),
        r"timestamps.footer: must have a (?P<zone>...) group (got 'Timezone: (\\S+)')",
    ),
    # date formats
    (
        _mapping(timestamps={"formats": ["%H:%M"]}),
        "timestamps.formats: not a date format (expected e.g. '%d/%m/%Y %H:%M') (got '%H:%M')",
    ),
    (
        _mapping(timestamps={"formats": ["ISO8601", "dd/mm/yyyy"]}),
        "timestamps.formats: not a date format (expected e.g. '%d/%m/%Y %H:%M') (got 'dd/mm/yyyy')",
    ),
    (
        _mapping(timestamps={"formats": ["iso8601"]}),
        "timestamps.formats: not a date format (expected e.g. '%d/%m/%Y %H:%M') (got 'iso8601')",
    ),
    (
        _mapping(timestamps={"formats": []}),
        "timestamps.formats: must be a list of strftime formats or 'ISO8601' (got [])",
    ),
    (
        _mapping(timestamps={"formats": "ISO8601"}),
        "timestamps.formats: must be a list of strftime formats or 'ISO8601' (got 'ISO8601')",
    ),
]


@pytest.mark.parametrize(("raw", "message"), REFUSALS)
def test_a_bad_mapping_is_refused_naming_key_and_value(raw, message):
    assert _refusal(raw) == message


BAD_REGEXES = [
    (_mapping(detect={"headers": ["a"], "values": {"Prio": "[1-"}}), "detect.values.Prio", "[1-"),
    (
        _mapping(dismissal=[{"column": "Tags", "matches": "(out", "reason": "other"}]),
        "dismissal #1.matches",
        "(out",
    ),
    (
        _mapping(timestamps={"zone": "footer", "footer": "TZ: (?P<zone"}),
        "timestamps.footer",
        "TZ: (?P<zone",
    ),
]


@pytest.mark.parametrize(("raw", "key", "pattern"), BAD_REGEXES)
def test_a_bad_regular_expression_is_refused_naming_key_and_pattern(raw, key, pattern):
    message = _refusal(raw)
    # The middle is Python's own explanation, which varies between versions.
    assert message.startswith(f"{key}: not a valid regular expression (")
    assert message.endswith(f") (got {pattern!r})")


def test_detect_values_must_be_a_table():
    message = _refusal(_mapping(detect={"headers": ["a"], "values": "[1-5]"}))
    assert message == "detect.values: must be a table of header = 'pattern' (got '[1-5]')"


# -- load_format: the file itself ---------------------------------------------------------------


def test_a_mapping_file_loads_with_its_path_as_source(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text(
        'name = "acme"\n'
        "[detect]\n"
        'headers = ["Ticket", "Prio"]\n'
        "[columns]\n"
        'case_id = "Ticket"\n'
        'severity = "Prio"\n'
        'created_at = "Opened"\n',
        encoding="utf-8",
    )
    fmt = load_format(path)
    assert (fmt.name, fmt.source_file) == ("acme", str(path))


def test_a_refusal_from_a_file_names_the_file(tmp_path):
    path = tmp_path / "acme.toml"
    path.write_text('name = "acme"\n[detect]\nheaders = ["Ticket"]\n', encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        load_format(path)
    assert str(caught.value) == f"{path}: columns.case_id: missing (required)"


def test_a_missing_mapping_file(tmp_path):
    path = tmp_path / "absent.toml"
    with pytest.raises(FormatError) as caught:
        load_format(path)
    assert str(caught.value) == f"{path}: mapping file not found"


def test_a_mapping_file_that_is_not_toml(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "x"\n[detect\n', encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        load_format(path)
    assert str(caught.value).startswith(f"{path}: not valid TOML: ")
    assert "line 2" in str(caught.value)


def test_a_mapping_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "café"\n'.encode("latin-1"))
    with pytest.raises(FormatError, match=re.escape(f"{path}: cannot read the mapping file (")):
        load_format(path)


# -- normalise: how headers are compared --------------------------------------------------------

NORMALISED = [
    # case
    ("Created At", "created at"),
    ("CREATED AT", "created at"),
    # underscores and hyphens are spaces
    ("created_at", "created at"),
    ("Created-At", "created at"),
    ("first_response__at", "first response at"),
    ("out-_-of", "out of"),
    # runs of whitespace, and the ends
    ("  First   reply\ttime ", "first reply time"),
    # everything else is kept
    ("#", "#"),
    ("Custom field (Organizations)", "custom field (organizations)"),
    ("company.name", "company.name"),
]


@pytest.mark.parametrize(("header", "normalised"), NORMALISED)
def test_normalise_ignores_case_spacing_underscores_and_hyphens(header, normalised):
    assert normalise(header) == normalised
