"""A per-case format refuses a file that repeats case ids, naming what reads it (issue 12).

Before: the first row of each case won and the others were rejected as duplicates, so an event
log imported with a wrong creation time, the first priority and the first verdict.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dashboard.errors import UnusableFileError
from dashboard.importer.formats import format_by_name, parse_format
from dashboard.importer.mapping import apply_format
from dashboard.importer.prepare import prepare_file
from dashboard.importer.readers import read_table
from dashboard.importer.repeated_ids import (
    EventLogError,
    RepeatedCaseIds,
    event_log_message,
    repeated_case_ids,
)
from dashboard.importer.validation import validate_cases
from tests.helpers import LONDON, vendor_policy
from tests.importer.audit_log import write_audit_log

POLICY = vendor_policy()
HEADER = "case_id,customer,severity,created_at\n"
WRITE_A_MAPPING = 'write a mapping with kind = "events" (see docs/event-logs.md) and use --map FILE'


def _ids(*ids: str) -> RepeatedCaseIds | None:
    return repeated_case_ids(pd.Series(ids, dtype=object), np.arange(2, len(ids) + 2))


# -- which ids repeat, and where -----------------------------------------------------------------


def test_unique_ids_and_empty_ones_are_not_repeats():
    assert _ids("A", "B", "C") is None
    assert _ids("A", "", "B", "") is None  # rejected row by row: "case_id is empty"


def test_the_first_repeated_id_in_file_order_with_all_its_rows():
    assert _ids("A", "B", "C", "B", "A", "B") == RepeatedCaseIds("A", (2, 6), others=1)
    assert _ids("X", "B", "B", "B", "B", "B") == RepeatedCaseIds("B", (3, 4, 5, 6, 7), others=0)


# -- the message ---------------------------------------------------------------------------------


def test_the_message_names_the_event_log_format_that_reads_the_file():
    reader = SimpleNamespace(name="servicenow_events")  # all the message needs of a format
    repeated = RepeatedCaseIds("INC0000045", (2, 3, 4, 5, 6), others=299)
    assert event_log_message("log.csv", repeated, "servicenow", [reader]) == (
        "log.csv: case ids repeat ('INC0000045' on rows 2, 3, 4 and 2 more; 299 other case ids "
        "repeat too): this looks like an event log (one row per change), which the servicenow "
        "format reads one row per case; import it with --format servicenow_events"
    )


def test_without_an_event_log_format_it_says_how_to_write_one():
    repeated = RepeatedCaseIds("A", (2, 4), others=1)
    assert event_log_message("cases.csv", repeated, "canonical", []) == (
        "cases.csv: case ids repeat ('A' on rows 2 and 4; 1 other case id repeats too): this "
        "looks like an event log (one row per change), which the canonical format reads one row "
        f"per case; {WRITE_A_MAPPING}"
    )


def test_several_event_log_formats_are_all_named():
    readers = [SimpleNamespace(name="one_events"), SimpleNamespace(name="two_events")]
    message = event_log_message("x.csv", RepeatedCaseIds("A", (2, 3, 4), 0), "canonical", readers)
    assert "('A' on rows 2, 3 and 4)" in message
    assert message.endswith("import it with --format one_events or --format two_events")


# -- validation refuses the whole file -----------------------------------------------------------


def _validate(tmp_path, body, fmt="canonical", **options):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + body)
    mapped = apply_format(read_table(path), format_by_name(fmt), zone=LONDON)
    return validate_cases(mapped, POLICY, **options)


def test_a_repeated_case_id_refuses_the_file_rather_than_keeping_its_first_row(tmp_path):
    body = (
        "A,Acme,P1,2026-03-02T09:00:00Z\n"
        "B,Acme,P2,2026-03-02T09:00:00Z\n"
        "A,Acme,P3,2026-03-02T10:00:00Z\n"  # the same case, later: an event log's shape
    )
    with pytest.raises(EventLogError) as caught:
        _validate(tmp_path, body)
    assert str(caught.value) == (
        f"{tmp_path / 'cases.csv'}: case ids repeat ('A' on rows 2 and 4): this looks like an "
        "event log (one row per change), which the canonical format reads one row per case; "
        f"{WRITE_A_MAPPING}"
    )
    assert isinstance(caught.value, UnusableFileError)  # the CLI: one line, exit status 2


def test_an_exact_duplicate_row_is_refused_the_same_way(tmp_path):
    row = "A,Acme,P1,2026-03-02T09:00:00Z\n"
    with pytest.raises(EventLogError, match=r"case ids repeat \('A' on rows 2 and 3\)"):
        _validate(tmp_path, row + row)


def test_the_event_log_formats_given_are_named(tmp_path):
    reader = SimpleNamespace(name="acme_events")
    with pytest.raises(EventLogError, match=r"; import it with --format acme_events$"):
        _validate(tmp_path, "A,Acme,P1,2026-03-02T09:00:00Z\n" * 2, event_log_readers=[reader])


def test_an_event_log_format_reads_repeated_ids(tmp_path):
    path = write_audit_log(tmp_path / "audit.csv")
    mapped = apply_format(read_table(path), format_by_name("servicenow_events"), zone=LONDON)
    validated = validate_cases(mapped, POLICY)  # one row per event: not refused
    assert validated.read == 7


# -- through prepare_file: which format reads it is found from the file's headers ----------------


def test_a_servicenow_audit_log_read_as_a_list_export_names_the_event_log_format(tmp_path):
    path = write_audit_log(tmp_path / "incident_event_log.csv")
    with pytest.raises(EventLogError) as caught:
        prepare_file(path, POLICY, forced=format_by_name("servicenow"))
    assert str(caught.value) == (
        f"{path}: case ids repeat ('INC0000045' on rows 2, 3, 4 and 1 more; 1 other case id "
        "repeats too): this looks like an event log (one row per change), which the servicenow "
        "format reads one row per case; import it with --format servicenow_events"
    )


def test_a_mapping_no_event_log_format_recognises_is_told_to_write_one(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("Ref,Prio,Logged\nR-1,P1,2026-03-02 09:00\nR-1,P2,2026-03-02 10:00\n")
    mapping = parse_format(
        {
            "name": "acme",
            "detect": {"headers": ["Ref", "Prio"]},
            "columns": {"case_id": "Ref", "severity": "Prio", "created_at": "Logged"},
        },
        source="acme.toml",
    )
    with pytest.raises(EventLogError) as caught:
        prepare_file(path, POLICY, forced=mapping)
    assert "which the acme format reads one row per case" in str(caught.value)
    assert str(caught.value).endswith(WRITE_A_MAPPING)
