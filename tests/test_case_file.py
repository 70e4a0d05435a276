"""Reading the canonical case CSV: every record accounted for, unusable files refused clearly."""

from __future__ import annotations

import pytest

from dashboard.case_file import CANONICAL_COLUMNS, read_case_csv
from dashboard.errors import UnusableFileError

HEADER = "case_id,customer,severity,created_at\n"


def _write(tmp_path, text, name="cases.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_headers_match_without_case_spaces_or_hyphens_and_extra_columns_are_kept_raw(tmp_path):
    path = _write(
        tmp_path,
        " Case ID ,Customer,SEVERITY,Created-At,Notes\nC-1,Acme,P1,2026-03-02 09:00,hello\n",
    )
    rows = read_case_csv(path)
    assert list(rows.frame.columns) == list(CANONICAL_COLUMNS)
    assert rows.frame.iloc[0][["case_id", "severity", "created_at"]].tolist() == [
        "C-1",
        "P1",
        "2026-03-02 09:00",
    ]
    assert rows.frame.iloc[0]["first_response_at"] == ""
    assert rows.raw.iloc[0]["Notes"] == "hello"
    assert rows.header == ["Case ID", "Customer", "SEVERITY", "Created-At", "Notes"]


def test_row_numbers_are_what_a_spreadsheet_shows(tmp_path):
    text = HEADER + 'A,"two\nlines",P1,2026-03-02\n\nB,x,P2,2026-03-02\n'
    rows = read_case_csv(_write(tmp_path, text))
    # A spans two text lines but is one spreadsheet row (2); the blank line is row 3.
    assert rows.row_numbers.tolist() == [2, 4]
    assert rows.frame["customer"].tolist() == ["two\nlines", "x"]


def test_utf8_bom_is_understood(tmp_path):
    rows = read_case_csv(_write(tmp_path, "\ufeff" + HEADER + "A,Zoë,P1,2026-03-02\n"))
    assert rows.frame["case_id"].tolist() == ["A"]
    assert rows.frame["customer"].tolist() == ["Zoë"]


def test_too_many_fields_is_a_reject_with_its_fields_short_rows_are_padded(tmp_path):
    text = HEADER + "A,Acme,P1,2026-03-02,surprise\nB,Acme\nC,Acme,P1,2026-03-02,,\n"
    rows = read_case_csv(_write(tmp_path, text))
    assert rows.frame["case_id"].tolist() == ["B", "C"]
    assert rows.frame.iloc[0]["severity"] == ""
    [reject] = rows.rejects
    assert (reject.row, reject.case_id) == (2, "A")
    assert reject.reason.startswith("row has 5 fields but the header has 4")
    assert reject.fields["extra_1"] == "surprise"
    assert rows.records == 3


UNUSABLE = [
    (b"", "the file is empty"),
    (b"\n\n  \n", "the file is empty"),
    (b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
    (b"case_id,customer\nA,B\n", "required columns severity, created_at missing"),
    (b"id,sev,opened\n", "found: 'id', 'sev', 'opened'"),
    (b"case_id,severity,created_at,Severity\n", "column 'Severity' appears twice"),
    (b"case_id,severity,created_at\nA,\"P1,2026\n", "not a readable CSV near line"),
    ("case_id,customer,severity,created_at\nA,Caf\xe9,P1,2026-03-02\n".encode("cp1252"),
     "not UTF-8 text (byte 0xe9 at offset"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "message"), UNUSABLE)
def test_unusable_files_are_refused_in_one_line_naming_the_file(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(UnusableFileError) as caught:
        read_case_csv(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(UnusableFileError, match="file not found"):
        read_case_csv(tmp_path / "absent.csv")


def test_header_only_file_has_no_records(tmp_path):
    rows = read_case_csv(_write(tmp_path, HEADER))
    assert rows.records == 0
