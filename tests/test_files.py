"""The CLI's CSV files (`export`, `compute --out`, rejects files): every row read back whole."""

from __future__ import annotations

import csv

import pandas as pd

from dashboard.files import write_csvs
from dashboard.importer.prepare import prepare_file
from tests.helpers import vendor_policy

SUBJECTS = ["Help\r=1+2", "two\nlines", "x\r\n@y", "plain"]


def test_a_bare_cr_in_a_cell_is_quoted_and_never_ends_the_row(tmp_path):
    """Issue 13: with LF row ends the writer left `Help\\r=1+2` unquoted; a spreadsheet (and
    our own reader) ended the row at the CR, and LibreOffice ran `=1+2`."""
    frame = pd.DataFrame({"case_id": ["A", "B", "C", "D"], "subject": SUBJECTS})
    path = tmp_path / "out.csv"
    write_csvs([(frame, path)])
    data = path.read_bytes().decode("utf-8")
    assert data.startswith("case_id,subject\r\n")
    assert '"Help\r=1+2"' in data
    with path.open(encoding="utf-8", newline="") as text:
        assert list(csv.reader(text)) == [["case_id", "subject"], *frame.values.tolist()]


def test_an_exported_subject_with_a_cr_imports_again_unchanged(tmp_path):
    """`export` then `import`: the case came back with its subject cut at the CR, and a second
    "case" named `=1+2` was rejected."""
    frame = pd.DataFrame(
        {
            "case_id": ["A", "B", "C", "D"],
            "severity": [1, 2, 3, 4],
            "created_at": ["2026-03-02T09:00:00Z"] * 4,
            "subject": SUBJECTS,
        }
    )
    path = tmp_path / "export.csv"
    write_csvs([(frame, path)])
    prepared = prepare_file(path, vendor_policy())
    assert prepared.validated.rejects == []
    cases = prepared.validated.cases.frame
    assert cases["case_id"].tolist() == ["A", "B", "C", "D"]
    assert cases["subject"].tolist() == SUBJECTS
