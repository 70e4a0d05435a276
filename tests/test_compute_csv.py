"""`compute`'s fast paths (issue 16: ISO 8601 read in numpy, CSV written a column at a time)
write the very bytes the exact paths write: results, rejects and the summary."""

from __future__ import annotations

import pytest

from dashboard import files, timestamps
from dashboard.cli import main

HEADER = (
    "case_id,customer,severity,created_at,first_response_at,resolved_at,status,channel,"
    "dismissal_reason,subject\n"
)
# Every kind of time an export mixes, and the ways a row is refused for one.
ROWS = [
    "A,Acme,P1,2026-03-02T09:15:00Z,2026-03-02T10:15:00.5+00:00,,resolved,portal,,plain",
    "B,\"Acme, Inc\",P2,2026-03-02T09:15:00.123+01:00,2026-03-02T11:00:00-05:00,,open,email,,b",
    "C,Acme,P3,2026-03-02T09:15:00,2026-03-02 10:15:00.999999,,open,portal,,\"say \"\"hi\"\"\"",
    "D,Globex,P4,2026-10-25T01:30:00,2026-10-25T01:45:00.25,,open,portal,,repeated hour",
    "E,Globex,P4,2026-03-29T01:30:00,,,open,portal,,\"skipped hour, rejected\"",
    "F,Globex,P4,2026-02-29T09:00:00,,,open,portal,,\"no such day: \"\"rejected\"\"\"",
    "G,Globex,P4,2026-03-02T09:15,2026-03-02T09:20Z,,open,portal,,no seconds",
    "H,Globex,P4,2026-03-02T09:15:00+0100,2026-03-02T09:20:00.1234567Z,,open,portal,,others",
    "I,Globex,P4,2026-03-02T09:15:00+24:00,,,open,portal,,bad offset: rejected",
    "J,Globex,P4,02/03/2026 09:15,,,open,portal,,not ISO: rejected",
    "K,Globex,P4,1969-12-31T23:59:59.5Z,,,open,portal,,before 1970: rejected",
    "L,Globex,P4,2026-03-02T09:15:00Z,2026-03-02T09:10:00Z,,open,portal,,answered before: invalid",
    "M,Globex,P2,2026-03-03T17:59:59.999+00:00,,2026-03-04T08:00:00-05:00,resolved,chat,,\"two\nlines\"",
]  # fmt: skip
AS_OF = "2026-03-04T12:00:00Z"


def _compute(tmp_path, name: str, capsys) -> tuple[bytes, bytes, str]:
    export = tmp_path / "cases.csv"
    export.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    out = tmp_path / f"{name}.csv"
    assert main(["compute", str(export), "--out", str(out), "--as-of", AS_OF]) == 0
    said = capsys.readouterr()
    rejects = tmp_path / f"{name}.rejects.csv"
    summary = said.out.replace(f"{name}.rejects.csv", "R").replace(f"{name}.csv", "O")
    return out.read_bytes(), rejects.read_bytes(), summary + said.err


def test_the_fast_paths_write_what_the_exact_paths_write(tmp_path, capsys, monkeypatch):
    fast = _compute(tmp_path, "fast", capsys)
    monkeypatch.setattr(timestamps, "_read_strict", lambda *args, **kwargs: None)
    monkeypatch.setattr(files, "write_frame", lambda *args, **kwargs: False)
    exact = _compute(tmp_path, "exact", capsys)
    assert fast == exact
    results, rejects, summary = fast
    assert "13 read, 8 scored" in summary
    assert "5 rejected" in summary
    assert b"2026-10-25T00:30:00Z" in results  # the repeated hour's first occurrence
    assert (
        b"created_at '2026-03-29T01:30:00' does not exist in Europe/London (the clocks went "
        b"forward past it); give it with an offset"
    ) in rejects
    assert b"\r\n6,created_at '2026-03-29T01:30:00' does not exist" in rejects
    assert b"\r\n7,created_at '2026-02-29T09:00:00' is not a valid date-time" in rejects
    assert b'"skipped hour, rejected"' in rejects
    assert b'"no such day: ""rejected"""' in rejects
    assert b'B,"Acme, Inc",2,High,2026-03-02T08:15:00Z,2026-03-02T16:00:00Z,' in results


@pytest.mark.parametrize("name", ["fast"])
def test_the_fast_paths_are_the_ones_taken(tmp_path, capsys, monkeypatch, name):
    """Without this, the comparison above could pass with both runs on the exact paths."""
    taken = []
    read_strict, write_frame = timestamps._read_strict, files.write_frame
    monkeypatch.setattr(
        timestamps, "_read_strict", lambda *a, **k: taken.append("iso") or read_strict(*a, **k)
    )
    monkeypatch.setattr(
        files, "write_frame", lambda *a, **k: taken.append("csv") or write_frame(*a, **k)
    )
    _compute(tmp_path, name, capsys)
    assert taken.count("iso") == 4  # --as-of, then the three time columns
    assert taken.count("csv") == 2
