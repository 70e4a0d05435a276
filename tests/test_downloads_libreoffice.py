"""CSV files opened as a spreadsheet opens them: LibreOffice headless (issue 13, finding 3).

`Help\\r=1+2` written with a bare CR split its row in LibreOffice, which then ran `=1+2`.
Here a frame of such cells is written by each CSV writer we have and converted with
`soffice --headless --convert-to fods` (flat OpenDocument: plain XML, where a formula is a
`table:formula` attribute), with the options of LibreOffice's own Text Import dialog.

- The dashboard's downloads (dashboard/downloads.py): no cell is a formula, every row is one
  row, numbers stay numbers and the text is the text (with the neutralising apostrophes,
  which LibreOffice shows).
- The CLI's files (dashboard/files.py: `export`, `compute --out`, rejects files) keep values
  exactly as exported, so they import again unchanged (README: open them with care): every row
  is one row and a line break inside a cell never starts a formula.

CI installs LibreOffice (Debian's libreoffice-calc-nogui, .ci/run). Elsewhere, without it, set
SLA_TEST_LIBREOFFICE=skip (or 0) to skip this file explicitly rather than see it fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from dashboard.downloads import csv_bytes, neutralised
from dashboard.files import write_csvs

pytestmark = pytest.mark.slow  # LibreOffice starts in a few seconds

SOFFICE = os.environ.get("SLA_SOFFICE") or shutil.which("soffice") or "/usr/bin/soffice"
# The Text Import dialog's choices as filter options: comma-separated, " quoted, UTF-8 (76),
# from line 1; token 7 false: quoted fields are read like any other (not forced to text);
# token 13 true: formulas are evaluated (the dialog's default). The attacker's best case.
CSV_IMPORT = "CSV:44,34,76,1,,0,false,true,false,false,false,-1,true"

HOSTILE = [
    "Help\r=1+2",  # issue 13: a bare CR split the row and =1+2 ran
    "=1+2",
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    'a\n=HYPERLINK("http://x")',
    "x\r\n@y",
]
NORMAL = ["Acme Payments", "naïve café", "O'Brien, Smith & Co", "1 - Urgent", 'say "hi"']
SUBJECTS = HOSTILE + NORMAL
FORMULA_STARTS = ("=", "+", "-", "@")

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def hostile_frame() -> pd.DataFrame:
    """One case per subject; `hours` holds negative numbers, which must stay numbers."""
    return pd.DataFrame(
        {
            "row": range(len(SUBJECTS)),
            "case_id": [f"C-{i}" for i in range(len(SUBJECTS))],
            "subject": SUBJECTS,
            "hours": [i - 3.5 for i in range(len(SUBJECTS))],
        }
    )


@dataclass(frozen=True)
class Cell:
    text: str  # as shown, lines joined by LF
    formula: str | None  # the table:formula attribute: what LibreOffice would run
    value_type: str | None  # "string", "float", ...


@pytest.fixture(scope="module")
def opened(tmp_path_factory) -> dict[str, list[list[Cell]]]:
    """Each writer's file, as LibreOffice reads it: {file stem: rows of cells}."""
    if os.environ.get("SLA_TEST_LIBREOFFICE") in ("skip", "0"):
        pytest.skip("SLA_TEST_LIBREOFFICE=skip: the LibreOffice test is skipped on request")
    if not Path(SOFFICE).exists():
        pytest.fail(f"no LibreOffice at {SOFFICE}: `apt-get install libreoffice-calc-nogui` "
                    "(CI does), or set SLA_TEST_LIBREOFFICE=skip", pytrace=False)  # fmt: skip
    folder = tmp_path_factory.mktemp("libreoffice")
    frame = hostile_frame()
    download = frame.rename(columns={"hours": "=1+1"})  # a header is a cell too
    (folder / "download.csv").write_bytes(csv_bytes(download))
    write_csvs([(frame, folder / "cli.csv")])
    # Its own profile: parallel runs (and a desktop LibreOffice) never share one.
    profile = (folder / "profile").as_uri()
    command = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               f"--infilter={CSV_IMPORT}", "--convert-to", "fods", "--outdir", str(folder),
               str(folder / "download.csv"), str(folder / "cli.csv")]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=folder)
    converted = {stem: folder / f"{stem}.fods" for stem in ("download", "cli")}
    if done.returncode != 0 or not all(p.exists() for p in converted.values()):
        pytest.fail(f"soffice failed ({done.returncode}): {done.stdout}{done.stderr}")
    return {stem: sheet_rows(path) for stem, path in converted.items()}


def test_a_download_has_no_formula_and_one_row_per_row(opened):
    frame = hostile_frame()
    header, *rows = opened["download"]
    assert [c.text for c in header] == ["row", "case_id", "subject", "'=1+1"]
    assert formulas(opened["download"]) == []
    assert len(rows) == len(frame)  # no cell's line break started a row
    for (i, case_id, subject, hours), cells in zip(frame.itertuples(index=False), rows,
                                                  strict=True):  # fmt: skip
        assert [c.text for c in cells[:2]] == [str(i), case_id]
        assert cells[2] == Cell(lines(neutralised(subject)), None, "string"), subject
        assert cells[3].value_type == "float"  # a negative number is a number, not a formula
        assert float(cells[3].text) == hours


def test_the_clis_files_keep_every_row_whole_and_every_value_as_exported(opened):
    frame = hostile_frame()
    header, *rows = opened["cli"]
    assert [c.text for c in header] == list(frame.columns)
    assert len(rows) == len(frame)
    for (i, case_id, subject, _), cells in zip(frame.itertuples(index=False), rows, strict=True):
        assert [c.text for c in cells[:2]] == [str(i), case_id]
        if "\r" in subject or "\n" in subject:
            assert cells[2] == Cell(lines(subject), None, "string"), subject
        elif not subject.startswith((*FORMULA_STARTS, "\t")):
            assert cells[2].text == subject
    # Values are written as exported (the rejects file is to be fixed and imported again):
    # a formula can only be a cell that is one in the export, never text after a line break.
    for cell in formulas(opened["cli"]):
        assert any(s.startswith(FORMULA_STARTS) and cell.formula.endswith(s) for s in SUBJECTS)


# -- reading flat OpenDocument ------------------------------------------------------------------


def formulas(rows: list[list[Cell]]) -> list[Cell]:
    return [cell for row in rows for cell in row if cell.formula is not None]


def lines(text: str) -> str:
    """Line breaks as a cell shows them: CR LF and CR are LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sheet_rows(path: Path) -> list[list[Cell]]:
    """The first sheet's rows, repeated cells expanded, trailing empty cells and rows dropped."""
    sheet = ET.parse(path).getroot().find(f".//{{{TABLE}}}table")
    assert sheet is not None, path
    rows: list[list[Cell]] = []
    for row in sheet.iter(f"{{{TABLE}}}table-row"):
        cells: list[Cell] = []
        for element in row:
            if element.tag not in (f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell"):
                continue
            cell = Cell(
                "\n".join(_shown(p) for p in element.findall(f"{{{TEXT}}}p")),
                element.get(f"{{{TABLE}}}formula"),
                element.get(f"{{{OFFICE}}}value-type"),
            )
            cells += [cell] * int(element.get(f"{{{TABLE}}}number-columns-repeated", "1"))
        while cells and cells[-1] == Cell("", None, None):
            cells.pop()
        repeat = int(row.get(f"{{{TABLE}}}number-rows-repeated", "1"))
        rows += [cells] * (repeat if cells else min(repeat, 1))
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _shown(element: ET.Element) -> str:
    """A paragraph's text: <text:s c="n"/> spaces, <text:tab/>, <text:line-break/>, spans."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{{{TEXT}}}s":
            parts.append(" " * int(child.get(f"{{{TEXT}}}c", "1")))
        elif child.tag == f"{{{TEXT}}}tab":
            parts.append("\t")
        elif child.tag == f"{{{TEXT}}}line-break":
            parts.append("\n")
        else:
            parts.append(_shown(child))
        parts.append(child.tail or "")
    return "".join(parts)
