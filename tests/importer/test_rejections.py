"""A file whose every row was rejected: the most common reason, and what to try (issue 12)."""

from __future__ import annotations

import pytest

from dashboard.importer.prepare import prepare_file
from dashboard.importer.readers import Reject
from dashboard.importer.rejections import (
    COLUMNS_HINT,
    DATES_HINT,
    SEVERITY_HINT,
    CommonReason,
    NothingStoredError,
    hint,
    most_common_reason,
    nothing_stored_message,
    refuse_if_nothing_stored,
)
from tests.helpers import vendor_policy
from tests.importer.audit_log import EVENTS, write_audit_log

POLICY = vendor_policy()
NOT_A_DATE = "is not a valid date-time (expected ISO 8601 like 2026-03-02T09:15:00Z)"


def _rejects(*reasons: str) -> list[Reject]:
    return [Reject(row=i + 2, case_id=f"C{i}", reason=r) for i, r in enumerate(reasons)]


# -- the most common reason ----------------------------------------------------------------------


def test_reasons_that_differ_only_in_their_values_are_one_reason():
    common = most_common_reason(
        _rejects(
            "severity 'P9': the policy has no level 9 (expected 1-4)",
            f"created_at '29/2/2016 01:16' {NOT_A_DATE}",
            f"created_at '1/3/2016 09:52' {NOT_A_DATE}",
            f"created_at '31/06/2026' {NOT_A_DATE}",
        )
    )
    assert common == CommonReason(f"created_at '29/2/2016 01:16' {NOT_A_DATE}", rows=3)


def test_each_of_a_rows_reasons_counts():
    common = most_common_reason(
        _rejects(
            f"case_id is empty; created_at 'a' {NOT_A_DATE}",
            f"severity 'x' is not a level of the policy; created_at 'b' {NOT_A_DATE}",
            "severity 'y' is not a level of the policy",
        )
    )
    # Not only a row's first reason: created_at ties with severity, and was seen first.
    assert common == CommonReason(f"created_at 'a' {NOT_A_DATE}", rows=2)


def test_a_value_holding_the_separator_is_not_split():
    common = most_common_reason(
        _rejects("customer 'a; b' holds a NUL character", "customer 'c' holds a NUL character")
    )
    assert common == CommonReason("customer 'a; b' holds a NUL character", rows=2)


def test_unquoted_numbers_and_instants_are_values_too():
    common = most_common_reason(
        _rejects(
            "created_at 2206-01-01T00:00:00Z is outside the years the GB-ENG holiday list covers",
            "created_at 2300-05-01T10:00:00Z is outside the years the GB-ENG holiday list covers",
            "customer is 10,000 characters long (at most 200)",
        )
    )
    assert common.rows == 2


# -- the hint ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (f"created_at '29/2/2016 01:16' {NOT_A_DATE}", DATES_HINT),
        ("resolved_at '2026-03-29 01:30' does not exist in Europe/London", DATES_HINT),
        ("its response deadline falls after 2100, beyond the years", DATES_HINT),
        ("severity 'Sev A' is not a level of the policy (expected 1-4)", SEVERITY_HINT),
        ("severity 'P9': the policy has no level 9", SEVERITY_HINT),
        ("created_at is empty", COLUMNS_HINT),  # the column is not where the format looks
        ("severity is empty", COLUMNS_HINT),
        ("case_id is empty", COLUMNS_HINT),
        ("dismissal_reason 'too busy' is not a dismissal reason", COLUMNS_HINT),
    ],
)
def test_the_hint_follows_the_reason(reason, expected):
    assert hint(reason) == expected


def test_the_hints_name_the_options_that_fix_a_file():
    assert "--date-order DMY|MDY" in DATES_HINT
    assert "[severity] labels" in SEVERITY_HINT
    assert "--map FILE" in SEVERITY_HINT
    assert "--map FILE" in COLUMNS_HINT
    assert "--format NAME" in COLUMNS_HINT


# -- a prepared file -----------------------------------------------------------------------------


def _prepared(tmp_path, body, name="cases.csv"):
    path = tmp_path / name
    path.write_text("case_id,customer,severity,created_at\n" + body)
    return prepare_file(path, POLICY)


def test_a_file_whose_every_row_is_rejected_is_refused_in_one_line(tmp_path):
    prepared = _prepared(
        tmp_path,
        "A,Acme,P1,29/2/2016 01:16\nB,Acme,P2,1/3/2016 09:52\nC,Acme,P9,2026-03-02T09:00:00Z\n",
    )
    assert nothing_stored_message(prepared) == (
        f"{prepared.path}: nothing stored: all 3 rows were rejected; most common reason "
        f"(2 rows): created_at '29/2/2016 01:16' {NOT_A_DATE}; {DATES_HINT}"
    )
    with pytest.raises(NothingStoredError):
        refuse_if_nothing_stored([prepared])


def test_a_single_rejected_row_reads_as_one(tmp_path):
    prepared = _prepared(tmp_path, "A,Acme,Sev A,2026-03-02T09:00:00Z\n")
    message = nothing_stored_message(prepared)
    assert ": nothing stored: its only row was rejected; most common reason (1 row): " in message
    assert message.endswith(SEVERITY_HINT)


def test_a_file_storing_some_cases_or_holding_none_is_not_refused(tmp_path):
    some = _prepared(tmp_path, "A,Acme,P1,2026-03-02T09:00:00Z\nB,Acme,P9,2026-03-02T09:00:00Z\n")
    empty = _prepared(tmp_path, "", name="header_only.csv")
    assert nothing_stored_message(some) is None
    assert nothing_stored_message(empty) is None
    refuse_if_nothing_stored([some, empty])


def test_an_event_log_counts_its_rows_and_names_the_cause_not_its_echoes(tmp_path):
    """A case's other events are rejected with the one whose time cannot be read: they echo it."""
    events = [(n, s, c, "yesterday" if c == 0 else u, p) for n, s, c, u, p in EVENTS]
    prepared = prepare_file(write_audit_log(tmp_path / "audit.csv", events), POLICY)
    assert (len(prepared.validated.cases), prepared.validated.read) == (0, 7)
    message = nothing_stored_message(prepared)
    assert message.startswith(
        f"{prepared.path}: nothing stored: all 7 rows were rejected; most common reason (3 rows): "
        "event_at 'yesterday' is not a valid date-time"
    )
    assert message.endswith(DATES_HINT)


def test_an_echo_is_named_when_there_is_nothing_else():
    echo = "case A: another event of the case (row 2) was rejected"
    assert most_common_reason(_rejects(echo)) == CommonReason(echo, rows=1)


def test_one_file_storing_nothing_refuses_them_all(tmp_path):
    good = _prepared(tmp_path, "A,Acme,P1,2026-03-02T09:00:00Z\n", name="good.csv")
    bad = _prepared(tmp_path, "B,Acme,P9,2026-03-02T09:00:00Z\n", name="bad.csv")
    with pytest.raises(NothingStoredError, match=r"bad\.csv: nothing stored"):
        refuse_if_nothing_stored([good, bad])
