"""What the Import page is told: a prepared file's counts, preview and rejects; an import's
summary; which past imports refused rows."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard.importer.prepare import prepare_file
from dashboard.importer.readers import Reject
from dashboard.importer.upload_results import (
    PREVIEW_ROWS,
    Imported,
    Understood,
    preview_frame,
    rejected_imports,
    rejects_frame,
)
from dashboard.importing import ImportReport
from tests.helpers import vendor_policy

POLICY = vendor_policy()
HEADER = "case_id,customer,plan,severity,created_at,first_response_at,resolved_at,status,channel"


@pytest.fixture
def understood(tmp_path):
    path = tmp_path / "new_cases.csv"
    path.write_text(
        HEADER + "\n"
        "N01,Hooli,Enterprise,P1,2026-03-10 09:00,2026-03-10 10:00,,open,portal\n"
        "N02,Hooli,Enterprise,P2,2026-03-10 09:00,2026-03-10 18:00,,open,portal\n"
        "N03,Hooli,Enterprise,P9,2026-03-10 09:00,,,open,portal\n"
    )
    return Understood(prepare_file(path, POLICY))


def test_a_prepared_file_counts_what_was_accepted_and_rejected(understood):
    assert (understood.accepted, understood.rejected) == (2, 1)
    assert understood.export_format.name == "canonical"
    assert understood.header == HEADER.split(",")
    assert understood.notes == understood.prepared.notes
    assert understood.mapping is None
    assert understood.rejects_name == "rejected-new_cases"


def test_the_preview_shows_the_accepted_cases_as_stored(understood):
    preview = understood.preview()
    assert preview["case_id"].tolist() == ["N01", "N02"]
    assert list(preview.columns) == ["case_id", "customer", "plan", "severity", "channel",
                                     "dismissal_reason", "status"]  # fmt: skip


def test_the_preview_is_short_and_skips_columns_the_cases_lack():
    cases = pd.DataFrame({"severity": range(50), "case_id": range(50), "other": range(50)})
    preview = preview_frame(cases)
    assert list(preview.columns) == ["case_id", "severity"]
    assert len(preview) == PREVIEW_ROWS


def test_the_rejects_table_of_a_prepared_file(understood):
    rejects = understood.rejects()
    assert rejects["case_id"].tolist() == ["N03"]
    assert rejects["row"].tolist() == [4]
    assert "P9" in rejects["reason"].iloc[0]


REJECTS = [
    Reject(row=3, case_id="C-1", reason="severity 'P9' is not a level",
           fields={"case_id": "C-1", "customer": "Zoë Café", "note": ""}),
    Reject(row=7, case_id="", reason="no case id",
           fields={"case_id": "", "customer": "=HYPERLINK(\"x\")", "odd": "a\x00b\u2028c"}),
    Reject(row=9, case_id="C-9", reason="too many fields"),
]  # fmt: skip


def test_the_rejects_frame_keeps_every_row_and_every_original_value():
    frame = rejects_frame(REJECTS)
    assert list(frame.columns) == ["row", "case_id", "reason", "record"]
    assert frame["row"].tolist() == [3, 7, 9]
    assert frame["case_id"].tolist() == ["C-1", "", "C-9"]
    assert frame["reason"].tolist() == [r.reason for r in REJECTS]
    assert [json.loads(record) for record in frame["record"]] == [r.fields for r in REJECTS]
    assert "Zoë Café" in frame["record"].iloc[0]  # readable, not \u escapes


def test_no_rejects_make_an_empty_frame_with_the_columns():
    frame = rejects_frame([])
    assert frame.empty
    assert list(frame.columns) == ["row", "case_id", "reason", "record"]


def _report(file: str, **counts: int) -> ImportReport:
    values = {"inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0, **counts}
    return ImportReport(file=file, format="canonical", source="canonical", import_id=1,
                        read=sum(values.values()), notes=["read as CSV"], **values)  # fmt: skip


def test_an_import_is_summed_up_file_by_file():
    imported = Imported((_report("/tmp/sla-upload-x/0a1b/a.csv", inserted=2, rejected=1),
                         _report("b.csv", updated=1, unchanged=4)))  # fmt: skip
    assert imported.files == ("a.csv", "b.csv")  # as the user named them
    assert imported.message == (
        "Imported: a.csv (2 new, 0 updated, 0 unchanged, 1 rejected), "
        "b.csv (0 new, 1 updated, 4 unchanged, 0 rejected)"
    )
    summary = imported.summary()
    assert list(summary.columns) == ["file", "format", "source", "import_id", "read",
                                     "inserted", "updated", "unchanged", "rejected"]  # fmt: skip
    assert summary["file"].tolist() == ["a.csv", "b.csv"]
    assert imported.saved_formats == ()


def test_the_imports_that_refused_rows_are_offered_by_label():
    history = pd.DataFrame(
        {"id": [9, 8, 7], "file_name": ["c.csv", "b.csv", "a.csv"], "rejected": [3, 0, 1]}
    )
    assert rejected_imports(history) == {9: "#9 c.csv (3 rejected)", 7: "#7 a.csv (1 rejected)"}
    assert list(rejected_imports(history)) == [9, 7]  # the history's order
    assert rejected_imports(history[history["rejected"] == 0]) == {}
