"""Workbooks built part by part with zipfile, to the byte: hostile ones openpyxl would never
write (a shared string of 100 MB, a cell used 100,000 times), and large ones made in seconds.

    data = workbook([["case_id", "created_at"], ["A1", 0]], shared=["2026-03-02 09:00"])

A row is a list of cells: a str is written inline in the sheet, an int is an index into
`shared` (the workbook's shared strings). A shared string may also be a function writing its
text to a binary file, to make one of any size without holding it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"

CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PACKAGE}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_OFFICE}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{_RELATIONSHIPS}">'
    '<sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)

Cell = str | int
Shared = str | Callable[[BinaryIO], None]


def workbook(rows: Iterable[Sequence[Cell]], shared: Iterable[Shared] = ()) -> bytes:
    """An .xlsx of one sheet holding `rows` (see the module's docstring)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode()
            )
            sheet.write(b"<sheetData>")
            for number, row in enumerate(rows, start=1):
                sheet.write(_row(number, row).encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode())
            for text in shared:
                strings.write(b"<si><t>")
                if callable(text):
                    text(strings)
                else:
                    strings.write(escape(text).encode())
                strings.write(b"</t></si>")
            strings.write(b"</sst>")
    return buffer.getvalue()


def repeated(chunk: bytes, times: int) -> Callable[[BinaryIO], None]:
    """A shared string of `chunk` written `times` times (chunk: XML-safe text)."""

    def write(out: BinaryIO) -> None:
        for _ in range(times):
            out.write(chunk)

    return write


def _row(number: int, cells: Sequence[Cell]) -> str:
    parts = [f'<row r="{number}">']
    for index, value in enumerate(cells):
        where = f"{_column(index)}{number}"
        if isinstance(value, int):
            parts.append(f'<c r="{where}" t="s"><v>{value}</v></c>')
        else:
            parts.append(f'<c r="{where}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
    parts.append("</row>")
    return "".join(parts)


def _column(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name
