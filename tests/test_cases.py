"""Validation of case rows: every record is accepted or rejected with all its reasons."""

from __future__ import annotations

from dashboard.case_file import read_case_csv
from dashboard.cases import validate_cases
from tests.helpers import LONDON, utc, vendor_policy

POLICY = vendor_policy()
HEADER = "case_id,customer,severity,created_at,first_response_at,resolved_at,channel\n"


def _validate(tmp_path, body):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + body)
    return validate_cases(read_case_csv(path), POLICY, zone=LONDON)


def test_good_rows_become_typed_cases(tmp_path):
    result = _validate(
        tmp_path,
        "A, Acme ,Level 1 - Urgent,2026-03-02T09:00:00Z,2026-03-02 10:00,,portal\n"
        "B,Acme,Low,2026-03-02T09:00:00Z,,2026-03-05T10:00:00+00:00,email\n",
    )
    assert result.rejects == []
    cases = result.cases
    assert cases.frame["case_id"].tolist() == ["A", "B"]
    assert cases.frame["customer"].tolist() == ["Acme", "Acme"]
    assert cases.frame["severity"].tolist() == [1, 4]
    assert cases.frame["row"].tolist() == [2, 3]
    assert cases.created_at.tolist() == [utc("2026-03-02T09:00:00Z")] * 2
    assert cases.has_first_response_at.tolist() == [True, False]
    assert cases.first_response_at[0] == utc("2026-03-02T10:00:00Z")
    assert cases.has_resolved_at.tolist() == [False, True]


def test_every_problem_of_a_row_is_named(tmp_path):
    result = _validate(
        tmp_path,
        "A,Acme,P1,2026-03-02T09:00:00Z,,,\n"
        ",Acme,P9,,soon,,\n"
        "A,Acme,P2,2026-03-02T09:00:00Z,,,\n"
        "C,Acme,P2,2026-03-29 01:30,,,\n"
        "D,Acme,P2,2206-01-01T00:00:00Z,,,\n",
    )
    assert result.read == 5
    assert len(result.cases) == 1
    reasons = {r.row: r.reason for r in result.rejects}
    assert reasons[3] == (
        "case_id is empty; severity 'P9': the policy has no level 9 (expected 1-4, L1, P1, "
        "Sev 1, Level 1 - Urgent or Urgent, High, Medium, Low); first_response_at 'soon' is not "
        "a valid ISO 8601 date-time (expected e.g. 2026-03-02T09:15:00Z or 2026-03-02 09:15); "
        "created_at is empty"
    )
    assert reasons[4] == "duplicate case_id 'A' (first at row 2)"
    assert "does not exist in Europe/London" in reasons[5]
    assert reasons[6] == (
        "created_at 2206-01-01T00:00:00Z is outside the years the GB-ENG holiday list covers "
        "(1872-2100)"
    )
    reject = next(r for r in result.rejects if r.row == 6)
    assert reject.case_id == "D"
    assert reject.fields["created_at"] == "2206-01-01T00:00:00Z"


def test_nothing_is_lost(tmp_path):
    body = "".join(f"X{i},Acme,{['P1', 'bad'][i % 2]},2026-03-02T09:00:00Z,,,\n" for i in range(20))
    result = _validate(tmp_path, body)
    assert result.read == 20
    assert len(result.cases) + len(result.rejects) == 20
    assert sorted(result.cases.frame["row"].tolist() + [r.row for r in result.rejects]) == list(
        range(2, 22)
    )


def test_ambiguous_local_times_are_counted(tmp_path):
    result = _validate(tmp_path, "A,Acme,P1,2026-10-25 01:30,2026-10-26 10:00,,\n")
    assert result.ambiguous_times == 1
    assert result.cases.created_at[0] == utc("2026-10-25T00:30:00Z")
