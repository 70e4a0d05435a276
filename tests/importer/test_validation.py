"""Validation of mapped rows: every record is accepted or rejected with all its reasons."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from dashboard.errors import UnusableFileError
from dashboard.importer.formats import format_by_name
from dashboard.importer.mapping import apply_format
from dashboard.importer.readers import read_table
from dashboard.importer.validation import validate_cases
from tests.helpers import LONDON, utc, vendor_policy

POLICY = vendor_policy()
HEADER = "case_id,customer,severity,created_at,first_response_at,resolved_at,channel\n"


def _validate(tmp_path, body, header=HEADER, **options):
    path = tmp_path / "cases.csv"
    path.write_text(header + body)
    mapped = apply_format(read_table(path), format_by_name("canonical"), zone=LONDON)
    return validate_cases(mapped, POLICY, **options)


def test_good_rows_become_typed_cases(tmp_path):
    result = _validate(
        tmp_path,
        "A, Acme ,Level 1 - Urgent,2026-03-02T09:00:00Z,2026-03-02 10:00,,portal\n"
        "B,Acme,Low,2026-03-02T09:00:00Z,,2026-03-05T10:00:00+00:00,EMAIL\n",
    )
    assert result.rejects == []
    cases = result.cases
    assert cases.frame["case_id"].tolist() == ["A", "B"]
    assert cases.frame["customer"].tolist() == ["Acme", "Acme"]
    assert cases.frame["severity"].tolist() == [1, 4]
    assert cases.frame["severity_label"].tolist() == ["Level 1 - Urgent", "Low"]
    assert cases.frame["channel"].tolist() == ["portal", "email"]
    assert cases.frame["row"].tolist() == [2, 3]
    assert cases.created_at.tolist() == [utc("2026-03-02T09:00:00Z")] * 2
    assert cases.has_first_response_at.tolist() == [True, False]
    assert cases.first_response_at[0] == utc("2026-03-02T10:00:00Z")
    assert cases.has_resolved_at.tolist() == [False, True]
    assert cases.response_known.tolist() == [True, True]


def test_every_problem_of_a_row_is_named(tmp_path):
    result = _validate(
        tmp_path,
        "A,Acme,P1,2026-03-02T09:00:00Z,,,\n"
        ",Acme,P9,,soon,,\n"
        "B,Acme,Level 1 - High,2026-03-02T09:00:00Z,,,\n"
        "C,Acme,P2,2026-03-29 01:30,,,\n"
        "D,Acme,P2,2206-01-01T00:00:00Z,,,\n",
    )
    assert result.read == 5
    assert len(result.cases) == 1
    reasons = {r.row: r.reason for r in result.rejects}
    assert reasons[3] == (
        "case_id is empty; severity 'P9': the policy has no level 9 (expected 1-4, L1, P1, "
        "Sev 1, Level 1 - Urgent or Urgent, High, Medium, Low); first_response_at 'soon' is not "
        "a valid date-time (expected ISO 8601 like 2026-03-02T09:15:00Z); created_at is empty"
    )
    assert reasons[4] == "severity 'Level 1 - High': level 1 is 'Urgent' in the policy, not 'High'"
    assert "does not exist in Europe/London" in reasons[5]
    assert reasons[6] == (
        "created_at 2206-01-01T00:00:00Z is outside the years the GB-ENG holiday list covers "
        "(1872-2100)"
    )
    reject = next(r for r in result.rejects if r.row == 6)
    assert reject.case_id == "D"
    assert reject.fields["created_at"] == "2206-01-01T00:00:00Z"  # the original record, whole


def test_nothing_is_lost(tmp_path):
    body = "".join(f"X{i},Acme,{['P1', 'bad'][i % 2]},2026-03-02T09:00:00Z,,,\n" for i in range(20))
    result = _validate(tmp_path, body)
    assert result.read == 20
    assert sorted(result.cases.frame["row"].tolist() + [r.row for r in result.rejects]) == list(
        range(2, 22)
    )


def test_response_before_creation_is_accepted_and_flagged(tmp_path):
    result = _validate(tmp_path, "A,Acme,P1,2026-03-02T10:00:00Z,2026-03-02T09:00:00Z,,\n")
    assert len(result.cases) == 1
    assert "1 case(s) answered before they were created: scored invalid" in result.notes


def test_ambiguous_local_times_are_counted(tmp_path):
    result = _validate(tmp_path, "A,Acme,P1,2026-10-25 01:30,2026-10-26 10:00,,\n")
    assert result.ambiguous_times == 1
    assert result.cases.created_at[0] == utc("2026-10-25T00:30:00Z")


def test_dismissal_reasons_are_checked(tmp_path):
    header = "case_id,severity,created_at,status,dismissal_reason\n"
    result = _validate(
        tmp_path,
        "A,P3,2026-03-02T10:00:00Z,closed,third-party\n"
        "B,P3,2026-03-02T10:00:00Z,dismissed,\n"
        "C,P3,2026-03-02T10:00:00Z,closed,too busy\n",
        header=header,
    )
    assert result.cases.frame["dismissal_reason"].tolist() == ["third_party", "other"]
    [reject] = result.rejects
    assert reject.reason.startswith("dismissal_reason 'too busy' is not a dismissal reason")


def test_a_file_without_first_responses_is_unscored_not_unanswered(tmp_path):
    result = _validate(
        tmp_path, "A,P3,2026-03-02T10:00:00Z\n", header="case_id,severity,created_at\n"
    )
    assert result.cases.response_known.tolist() == [False]
    assert result.cases.has_first_response_at.tolist() == [False]


def test_day_month_order_comes_from_the_caller_when_the_file_cannot_tell(tmp_path):
    header = "Ticket ID,Priority,Created time,Initial response time\n"
    path = tmp_path / "freshdesk.csv"
    path.write_text(header + "1,High,01/02/2026 10:00,01/02/2026 11:00\n")
    mapped = apply_format(read_table(path), format_by_name("freshdesk"), zone=LONDON)
    with pytest.raises(UnusableFileError, match=r"day/month order cannot be decided.*--date-order"):
        validate_cases(mapped, POLICY)
    result = validate_cases(mapped, POLICY, date_order="MDY")
    assert result.cases.created_at.tolist() == [utc("2026-01-02T10:00:00Z")]
    assert np.all(result.cases.has_first_response_at)


# -- over-long cells (issue 13: one 3,000-character date in 1M rows asked numpy for 11 GiB) ------


def _long(start: str, length: int) -> str:
    return start + "9" * (length - len(start))


@pytest.mark.parametrize("length", [3_000, 1_000_000])
def test_an_overlong_value_rejects_its_row_quoting_only_its_start(tmp_path, length):
    result = _validate(
        tmp_path,
        "A,Acme,P1,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,,portal\n"
        f"B,Acme,P1,{_long('2026-03-02T09:00:00Z', length)},,,portal\n"
        f"C,Acme,{_long('P1', length)},2026-03-02T09:00:00Z,,,portal\n"
        f"D,Acme,P1,2026-03-02T09:00:00Z,,{_long('2026-03-03 10:00', length)},portal\n"
        "E,Acme,P2,2026-03-02T09:00:00Z,,,portal\n",
    )
    assert result.cases.frame["case_id"].tolist() == ["A", "E"]
    too_long = f"is {length:,} characters long (at most 200): "
    assert {r.row: r.reason for r in result.rejects} == {  # quoted: 57 characters and "..."
        3: f"created_at {too_long}'2026-03-02T09:00:00Z{'9' * 37}...'",
        4: f"severity {too_long}'P1{'9' * 55}...'",
        5: f"resolved_at {too_long}'2026-03-03 10:00{'9' * 41}...'",
    }


def test_an_overlong_date_costs_no_more_memory_than_itself(tmp_path):
    """numpy's text arrays are as wide as their longest cell: one 3,000-character date among
    5,000 rows made an array of 5,001 x 3,020 x 4 bytes (60 MB; 11 GiB at a million rows).
    Measured by allocation, not time: the file with the long date peaks within a few MB of
    the same file with a normal one."""
    rows = "".join(f"N{i},Acme,P2,2026-03-02T09:00:00Z,,,portal\n" for i in range(5_000))

    def peak(date: str) -> int:
        path = tmp_path / f"cases-{len(date)}.csv"
        path.write_text(HEADER + rows + f"L,Acme,P2,{date},,,portal\n")
        mapped = apply_format(read_table(path), format_by_name("canonical"), zone=LONDON)
        tracemalloc.start()
        try:
            validated = validate_cases(mapped, POLICY)
            highest = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(validated.cases) == 5_000 + (len(date) == 20)  # the long one is rejected
        return highest

    normal, long = peak("2026-03-02T09:00:00Z"), peak(_long("2026-03-02T09:00:00Z", 3_000))
    assert long - normal < 5 * 2**20, (normal, long)
