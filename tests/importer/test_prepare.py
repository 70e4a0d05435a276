"""prepare_file: what it hands over to be stored, beside what the other importer tests check."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pytest

from dashboard.errors import UnusableFileError
from dashboard.importer.prepare import prepare_file
from dashboard.importer.readers import FileRecords, read_grid, table_from_grid
from dashboard.policy import load_policy

EXPORTS = Path(__file__).parent.parent / "fixtures" / "exports"
HEADER = (
    "case_id,customer,plan,severity,created_at,first_response_at,resolved_at,status,channel,"
    "component,subject,dismissal_reason,vendor_sla\n"
)


def test_a_case_rejected_after_validation_quotes_its_fields_read_again_from_the_file(tmp_path):
    """Issue 16: a one-row-per-case export's table is let go once validated (FileRecords); a
    case refused while scoring (its deadline past the holiday list) still quotes every field
    exactly as the file wrote it, read again from the file."""
    policy_path = tmp_path / "lk.toml"
    policy_path.write_text(
        '[calendar]\ntimezone = "Asia/Colombo"\nopen = "09:00"\nclose = "18:00"\n'
        'holidays = { country = "LK" }\n'
        '[[severity]]\nlevel = 1\nname = "Urgent"\nresponse_hours = 24\n'
    )
    rows = [
        f"A{i},Acme,Gold,1,2026-06-{1 + i % 28:02d}T10:{i % 60:02d}:00Z,,,open,Web,api,s{i},,"
        for i in range(40)
    ]
    late = "B,Zoë Café,Gold,1,2026-12-30 10:00, ,,open,Web,api,late one,,met"
    export = tmp_path / "cases.csv"
    export.write_text(HEADER + "\n".join([*rows, late]) + "\n", encoding="utf-8")
    prepared = prepare_file(export, load_policy(policy_path), as_of=1798718400)  # 2026-12-31
    table = prepared.validated.table
    assert isinstance(table, FileRecords)  # the header, no cells
    assert table.header == HEADER.strip().split(",")
    assert len(prepared.validated.cases) == 40
    [reject] = prepared.validated.rejects
    assert reject.row == 42
    assert reject.case_id == "B"
    assert reject.reason.startswith("its response deadline falls after 2026")
    assert reject.fields == dict(zip(HEADER.strip().split(","), late.split(","), strict=True))


def test_records_read_again_are_the_table_the_file_first_gave(tmp_path):
    """FileRecords finds records by spreadsheet row past a title, blank rows, a quoted
    multi-line field, a too-wide record and non-UTF-8 bytes, giving each its fields as
    table_from_grid did."""
    export = tmp_path / "titled.csv"
    export.write_bytes(
        b'Cases report\n\nid,name,note\n1,Zo\xc3\xab, x \n\n2,"two\nlines",\n'
        b"3,a,b,extra\n4,caf\xe9,\n5,,last\n"
    )
    grid = read_grid(export)
    table = table_from_grid(grid, 1)
    records = FileRecords(export, table.header, 1, grid.checksum)
    expected = [dict(zip(table.header, table.frame.iloc[p].tolist(), strict=True))
                for p in range(len(table.frame))]  # fmt: skip
    assert records.fields(table.row_numbers) == expected
    assert records.fields(table.row_numbers[::-1]) == expected[::-1]
    assert records.fields(np.array([], dtype=np.int64)) == []


def test_records_of_a_file_changed_since_it_was_read_are_refused(tmp_path):
    export = tmp_path / "cases.csv"
    export.write_text("id,name\n1,a\n", encoding="utf-8")
    grid = read_grid(export)
    records = FileRecords(export, ["id", "name"], 0, grid.checksum)
    export.write_text("id,name\n1,b\n", encoding="utf-8")
    with pytest.raises(UnusableFileError, match="changed while it was being imported"):
        records.fields([2])


def test_an_event_log_lets_its_rows_go_once_its_cases_are_derived(tmp_path):
    """Issue 16: an event log's rows are held only while its cases are derived and scored;
    what is handed over to be stored keeps the header and reads a record again from the
    file should a case be rejected later (as re-deriving stored histories may)."""
    export = tmp_path / "events.csv"
    shutil.copy(EXPORTS / "servicenow_events.csv", export)
    prepared = prepare_file(export, load_policy())
    lines = list(csv.reader(io.StringIO(export.read_text(encoding="utf-8"))))
    table = prepared.validated.table
    assert isinstance(table, FileRecords)  # the header, no cells
    assert table.header == lines[0]
    cases = prepared.validated.cases
    assert len(cases) > 1
    first = np.arange(len(cases)) == 0
    later = prepared.validated.reject(first, np.full(len(cases), "found wrong later", object))
    [reject] = [r for r in later.rejects if r.reason == "found wrong later"]
    row = int(cases.frame["row"].iloc[0])  # the case's last event in the file
    assert reject.row == row
    assert reject.fields == dict(zip(lines[0], lines[row - 1], strict=True))
    assert len(later.cases) == len(cases) - 1


def test_an_event_logs_rows_refused_with_their_case_quote_the_file(tmp_path):
    """The rows of a case refused while deriving (another of its events was rejected) quote
    their fields as the file wrote them, read again from the file (issue 16: the log's rows
    are not held while its cases are derived)."""
    lines = list(csv.reader(io.StringIO((EXPORTS / "servicenow_events.csv").read_text("utf-8"))))
    header, broken = lines[0], 2  # the third line: an event of the first incident
    lines[broken][header.index("sys_updated_at")] = "not a date"
    export = tmp_path / "events.csv"
    with export.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(lines)
    prepared = prepare_file(export, load_policy())
    case = lines[broken][0]
    refused = [r for r in prepared.validated.rejects if r.case_id == case]
    assert len(refused) == sum(1 for line in lines[1:] if line[0] == case) > 1
    assert any("another event of the case" in r.reason for r in refused)
    for reject in refused:
        assert reject.fields == dict(zip(header, lines[reject.row - 1], strict=True))
    assert case not in set(prepared.validated.cases.frame["case_id"])
