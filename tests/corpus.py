"""Hostile and broken inputs, made on the fly (some are megabytes; none is committed).

Each entry: a file name, a function making its bytes, and what must happen: "fatal" (one
clear message naming the file, nothing written) or "rows" (read, with every row either
stored or rejected with a reason: nothing lost). A file whose every row would be rejected is
"fatal": an import that would store nothing is refused.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

HEADER = "case_id,customer,severity,created_at,first_response_at,resolved_at,channel"
GOOD = "G1,Acme,P2,2026-03-03 10:00,2026-03-03 11:00,,portal"


@dataclass(frozen=True)
class Entry:
    name: str
    make: Callable[[], bytes]
    outcome: str  # "fatal" or "rows"
    message: str = ""  # a fragment the fatal message must hold (besides the file's name)
    stored: int | None = None  # for "rows": cases that must be stored

    def __str__(self) -> str:
        return self.name


def _csv(*rows: str) -> Callable[[], bytes]:
    return lambda: ("\n".join([HEADER, *rows]) + "\n").encode()


def _xlsx_bomb(expanded: int) -> bytes:
    """A tiny .xlsx whose sheet inflates to `expanded` bytes of zeros (declared truthfully)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * 2**20
            for _ in range(expanded // len(chunk)):
                sheet.write(chunk)
    return buffer.getvalue()


def _stray_cell_xlsx() -> bytes:
    """A small workbook whose used range a stray cell stretches to 17 billion cells."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(GOOD.split(","))
    sheet.cell(1_048_576, 16_384, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _real_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (HEADER.split(","), GOOD.split(",")):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BOMB_BYTES = 64 * 2**20  # tests lower the reader's limit below this, to stay fast
SQL = "Robert'); DROP TABLE cases;--"
MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)>"
FORMULA = "=cmd|' /C calc'!A0"

CORPUS = [
    Entry("empty.csv", lambda: b"", "fatal", "empty"),
    Entry("whitespace.csv", lambda: b"   \n\n \t \n", "fatal"),
    Entry("bom_only.csv", lambda: b"\xef\xbb\xbf", "fatal"),
    Entry("header_only.csv", _csv(), "rows", stored=0),
    Entry("binary.csv", lambda: bytes(range(256)) * 64, "fatal"),
    Entry("random.csv", lambda: zlib.compress(b"x" * 5000) * 20, "fatal"),
    Entry(
        "page.csv",
        lambda: b"<html><body><h1>Login</h1></body></html>\n",
        "fatal",
        "not an export format",
    ),
    Entry("data.csv", lambda: b'{"cases": [{"id": 1}]}\n', "fatal", "not an export format"),
    Entry(
        "unterminated_quote.csv",
        _csv('A1,"Acme,P1,2026-03-02 09:00,,,portal', GOOD),
        "fatal",
        "not a readable CSV",
    ),
    Entry(
        "five_mb_field.csv",
        _csv(f"A1,{'x' * 5_000_000},P1,2026-03-02 09:00,,,portal", GOOD),
        "rows",
        stored=1,
    ),
    Entry("nul_bytes.csv", _csv("A1,Ac\0me,P1,2026-03-02 09:00,,,portal", GOOD), "rows"),
    Entry(
        "mixed_encodings.csv",
        lambda: (
            (HEADER + "\nA1,Café,P1,2026-03-02 09:00,,,portal\n").encode()
            + "A2,Caf\xe9,P1,2026-03-02 09:00,,,portal\n".encode("cp1252")
        ),
        "rows",
    ),
    Entry("utf16.csv", lambda: (HEADER + "\n" + GOOD + "\n").encode("utf-16"), "rows", stored=1),
    Entry("year_1900.csv", _csv("A1,Acme,P1,1900-03-02 09:00,,,portal", GOOD), "rows", stored=1),
    Entry("year_9999.csv", _csv("A1,Acme,P1,9999-03-02 09:00,,,portal", GOOD), "rows", stored=1),
    Entry(
        "response_before_creation.csv",
        _csv("A1,Acme,P1,2026-03-02 09:00,2026-03-01 09:00,,portal", GOOD),
        "rows",
        stored=2,
    ),
    Entry(
        "resolved_before_creation.csv",
        _csv("A1,Acme,P1,2026-03-02 09:00,,2026-03-01 09:00,portal", GOOD),
        "rows",
    ),
    # one case on two rows: an event log's shape, refused rather than keeping the first row
    Entry(
        "duplicate_ids.csv",
        _csv(GOOD, GOOD.replace("Acme", "Other")),
        "fatal",
        "this looks like an event log",
    ),
    Entry(
        "every_row_rejected.csv",
        _csv("A1,Acme,P1,02/03/2026 09:00,,,portal", "A2,Acme,P9,2026-03-02 09:00,,,portal"),
        "fatal",
        "nothing stored: all 2 rows were rejected",
    ),
    Entry(
        "formula_text.csv", _csv(f'A1,"{FORMULA}",P1,2026-03-02 09:00,,,portal'), "rows", stored=1
    ),
    Entry("markup_text.csv", _csv(f'A1,"{MARKUP}",P1,2026-03-02 09:00,,,portal'), "rows", stored=1),
    Entry("sql_text.csv", _csv(f'A1,"{SQL}",P1,2026-03-02 09:00,,,portal'), "rows", stored=1),
    Entry(
        "thousand_columns.csv",
        lambda: (
            HEADER + "," + ",".join(f"x{i}" for i in range(993)) + "\n" + GOOD + "," * 993 + "\n"
        ).encode(),
        "rows",
        stored=1,
    ),
    Entry(
        "too_many_fields.csv",
        _csv(GOOD + ",extra,extra", GOOD.replace("G1", "G2")),
        "rows",
        stored=1,
    ),
    Entry(
        "bad_severity.csv",
        _csv(
            "A1,Acme,P0,2026-03-02 09:00,,,portal",
            "A2,Acme,urgent!!,2026-03-02 09:00,,,portal",
            GOOD,
        ),
        "rows",
        stored=1,
    ),
    Entry(
        "bad_dates.csv",
        _csv("A1,Acme,P1,2026-02-31 09:00,,,portal", "A2,Acme,P1,yesterday,,,portal", GOOD),
        "rows",
        stored=1,
    ),
    Entry(
        "missing_case_ids.csv", _csv(",Acme,P1,2026-03-02 09:00,,,portal", GOOD), "rows", stored=1
    ),
    Entry("no_required_columns.csv", lambda: b"name,value\nx,1\n", "fatal", "not an export format"),
    Entry("only_delimiters.csv", lambda: b",,,,\n,,,,\n,,,,\n", "fatal"),
    Entry("many_blank_lines.csv", lambda: b"\n" * 100_000, "fatal"),
    Entry("zip_bomb.xlsx", lambda: _xlsx_bomb(BOMB_BYTES), "fatal", "zip bomb"),
    # read by its content, not its name: a CSV saved as .xlsx imports
    Entry("csv_named.xlsx", lambda: (HEADER + "\n" + GOOD + "\n").encode(), "rows", stored=1),
    Entry("truncated.xlsx", lambda: _real_xlsx()[:600], "fatal"),
    Entry(
        "zip_not_workbook.xlsx",
        lambda: _zip({"readme.txt": "hello"}),
        "fatal",
        "not an .xlsx workbook",
    ),
    Entry("workbook.xlsx", _real_xlsx, "rows", stored=1),
    Entry("stray_cell.xlsx", _stray_cell_xlsx, "fatal", "used range"),
    Entry(
        "repeated_headers.csv",
        lambda: (HEADER + ",x" * 3_000 + "\n" + GOOD + "," * 3_000 + "\n").encode(),
        "rows",
        stored=1,
    ),
    Entry(
        "ten_thousand_columns.csv",
        lambda: (",".join(f"c{i}" for i in range(10_000)) + "\n").encode(),
        "fatal",
        "columns",
    ),
    Entry("workbook_named.csv", _real_xlsx, "rows", stored=1),  # content decides, too
    Entry(
        "crlf_and_lf.csv",
        lambda: (HEADER + "\r\n" + GOOD + "\n" + GOOD.replace("G1", "G2") + "\r\n").encode(),
        "rows",
        stored=2,
    ),
]


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()
