"""Export files -> a grid of text cells, whatever the helpdesk or spreadsheet wrote.

CSV with `,` `;` tab or `|` (detected by clevercsv, or an Excel `sep=` line), in UTF-8 (with or
without BOM), UTF-16 (Excel's "Unicode text", BOM or not), Windows-1252, or another Windows code
page (detected by charset-normalizer); and `.xlsx` workbooks (first visible sheet; recognised by
content, since Zammad names its .xlsx reports `.xls`).

Reading yields a grid: every non-blank row, with the row number a spreadsheet shows. Which row
is the header is the export format's business (a Zammad report has a title above it); once it
is known, `table_from_grid` makes the table, rejecting any record wider than the header. A file
that cannot be read at all raises UnusableFileError with one line naming the file and problem.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import parallel
from dashboard.errors import UnusableFileError
from dashboard.text import object_frame

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# The code pages spreadsheets write when they do not write UTF, weighed by charset-normalizer.
_CODE_PAGES = ["cp1252", "cp1250", "cp1251"]
# Control bytes that text files do not hold (tab, newlines, form feed and escape excepted).
_BINARY_BYTES = [*range(0, 9), 11, *range(14, 27), *range(28, 32)]
_OTHER_FILES = [
    (b"\x1f\x8b", "a gzip-compressed file (unpack it first)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"7z\xbc\xaf", "a 7-Zip archive (unpack it first)"),
    (b"Rar!", "a RAR archive (unpack it first)"),
]
_CODE_PAGE_NAMES = {"cp1252": "Windows-1252", "cp1250": "Windows-1250", "cp1251": "Windows-1251"}
_SNIFF_CHARS = 32_768
# Long text fields (case descriptions) are legitimate; the csv module's 128 KiB limit is not ours.
csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class Reject:
    """A record that was not used, with why, and its original fields so nothing is lost."""

    row: int
    case_id: str
    reason: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Grid:
    """A file's non-blank rows as text cells, before anyone has said which row is the header."""

    path: Path
    cells: pd.DataFrame  # columns 0..W-1, '' for empty cells; one row per non-blank record
    row_numbers: np.ndarray  # the spreadsheet row of each
    description: str  # how it was read, e.g. "CSV, UTF-8, semicolon-separated"
    checksum: str = ""  # sha256 of the file's bytes
    size: int = 0
    # How many fields each row really had (a CSV row is as wide as its delimiters make it;
    # the grid pads them all to the widest). None: every row had the grid's width.
    widths: np.ndarray | None = None

    def width(self, position: int) -> int:
        return self.cells.shape[1] if self.widths is None else int(self.widths[position])

    def row(self, position: int) -> list[str]:
        return [str(cell).strip() for cell in self.cells.iloc[position].tolist()]


@dataclass(frozen=True)
class RawTable:
    path: Path
    header: list[str]  # as written, made unique: a repeated "Labels" becomes "Labels (2)"
    frame: pd.DataFrame  # every record's cells as text ('' when empty), under `header`
    row_numbers: np.ndarray  # the spreadsheet row of each frame row
    rejects: list[Reject]  # records refused before any value was looked at
    description: str
    header_row: int = 1  # the spreadsheet row of the header

    @property
    def records(self) -> int:
        return len(self.frame) + len(self.rejects)


@dataclass(frozen=True)
class FileRecords:
    """A table let go once validated: its header, and how to read some of its records again.

    A one-row-per-case export's cases keep their table only to quote the fields of a case
    rejected after validation (its deadline beyond the holiday list), which few files ever
    have; holding a million rows of text for it was the import's peak (issue 16). The file is
    read again instead, its checksum showing that it is the same file.
    """

    path: Path
    header: list[str]
    header_position: int  # the header's grid row (table_from_grid)
    checksum: str  # sha256 of the bytes first read

    def fields(self, rows: Sequence[int]) -> list[dict[str, str]]:
        """The fields of the records at these spreadsheet rows, as the file writes them."""
        grid = read_grid(self.path)
        if grid.checksum != self.checksum:
            raise UnusableFileError(
                f"{self.path}: the file changed while it was being imported; import it again"
            )
        table = table_from_grid(grid, self.header_position)
        del grid
        wanted = np.asarray(rows, dtype=np.int64)
        positions = np.searchsorted(table.row_numbers, wanted)
        # (the same bytes give the same records: a row not found is a bug, never a guess)
        assert (positions < len(table.row_numbers)).all()
        assert (table.row_numbers[positions] == wanted).all()
        frame = table.frame
        return [dict(zip(self.header, frame.iloc[int(p)].tolist(), strict=True)) for p in positions]


def read_table(path: str | Path) -> RawTable:
    """A file whose first non-blank row is its header (our canonical CSV)."""
    return table_from_grid(read_grid(path))


def table_from_grid(grid: Grid, header_position: int = 0) -> RawTable:
    """The grid read with its row `header_position` (0 = first non-blank row) as header.

    Rows above the header are titles and are ignored. A record with cells beyond the header's
    width is rejected whole: its delimiters are off, so none of its cells can be trusted.
    """
    if grid.cells.empty or header_position >= len(grid.cells):
        raise UnusableFileError(f"{grid.path}: the file is empty")
    body = grid.cells.iloc[header_position + 1 :]
    rows = grid.row_numbers[header_position + 1 :]
    # The header row's own fields are the columns, named or not. Unnamed ones at the end are
    # kept (as "column N") only when some row fills them: a notes column nobody titled.
    header_cells = grid.row(header_position)[: grid.width(header_position)]
    while header_cells and not header_cells[-1]:
        unnamed = len(header_cells) - 1
        if unnamed < body.shape[1] and (body.iloc[:, unnamed] != "").any():
            break
        header_cells.pop()
    header = _unique_header(header_cells)
    width = len(header)
    rejects: list[Reject] = []
    if body.shape[1] > width:
        overflow = (body.iloc[:, width:] != "").any(axis=1).to_numpy()
        for position in np.flatnonzero(overflow):
            fields = list(body.iloc[position].tolist())
            while fields and not fields[-1]:
                fields.pop()
            rejects.append(_too_wide(fields, header, int(rows[position])))
        body, rows = body[~overflow].iloc[:, :width], rows[~overflow]
    # The grid's columns themselves, not a copy of them all in one block: the grid is let go
    # once the table is made, and the copy beside it was an event log's peak (issue 16).
    columns = [body.iloc[:, i].to_numpy(dtype=object) for i in range(min(width, body.shape[1]))]
    columns += [np.full(len(body), "", dtype=object) for _ in range(width - len(columns))]
    frame = object_frame(dict(enumerate(columns)))
    frame.columns = header
    return RawTable(
        grid.path,
        header,
        frame,
        np.asarray(rows, dtype=np.int64),
        rejects,
        grid.description,
        int(grid.row_numbers[header_position]),
    )


def read_grid(path: str | Path) -> Grid:
    path = Path(path)
    try:
        before = path.stat()
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnusableFileError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UnusableFileError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise UnusableFileError(f"{path}: cannot read the file ({exc.strerror})") from None
    size = len(data)
    reading = _read_bytes(path, data)
    if isinstance(reading, _CsvReading):
        # pandas parses the file itself: its bytes held beside the parsed cells were the
        # read's peak (300 MB of a million-row event log; issue 16). The file must not have
        # changed since the bytes above were read and checked.
        del data
        # Its sha256 on the second core meanwhile, read again from the page cache a block at
        # a time: hashlib and the parser's tokenizer both let other threads run (0.36 s of a
        # 197 MB file's import, issue 16).
        digest = parallel.started(_sha256_of_file, path)
        try:
            grid = reading.read(path)
        finally:
            parallel.settled(digest)
        try:
            checksum = digest.result()
        except OSError as exc:
            raise UnusableFileError(f"{path}: cannot read the file ({exc.strerror})") from None
        after = path.stat()
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            raise UnusableFileError(
                f"{path}: the file changed while it was being read; import it again"
            )
    else:
        grid, checksum = reading, hashlib.sha256(data).hexdigest()
    return dataclasses.replace(grid, checksum=checksum, size=size)


def _sha256_of_file(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _read_bytes(path: Path, data: bytes) -> Grid | _CsvReading:
    if not data or data.isspace():  # (data.strip() would copy the whole file)
        raise UnusableFileError(f"{path}: the file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnusableFileError(
            f"{path}: an old binary Excel (.xls) workbook; save it as .xlsx or CSV"
        )
    for magic, what in _OTHER_FILES:
        if data.startswith(magic):
            raise UnusableFileError(f"{path}: {what}, not a CSV or .xlsx export")
    codec, encoding = detect_encoding(path, data)
    return _read_csv(path, data, codec, encoding)


def detect_encoding(path: Path, data: bytes) -> tuple[str, str]:
    """(Python codec, name for people) of a text file; refuses what is not text.

    UTF-8 is strict, with one exception: a file that is UTF-8 but for a few stray bytes (two
    exports pasted together) is read as UTF-8 with those bytes kept as they are
    ("surrogateescape"); the rows holding them are rejected by validation, naming the bytes,
    and written back to the rejects file unchanged. A file with no UTF-8 at all is a Windows
    code page: Western (1252) unless charset-normalizer finds Central European or Cyrillic
    text reads better. The whole file is checked but not kept as text: pandas decodes it
    again as it parses, which for a large export saves holding it twice.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _utf8(path, data[3:], "utf-8-sig", "UTF-8 with BOM")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _check(path, data, "utf-16"), "UTF-16"
    sample = data[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return _check(path, data, "utf-16-le"), "UTF-16 LE"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return _check(path, data, "utf-16-be"), "UTF-16 BE"
    # A stray control byte in a cell is a bad row (validation rejects a NUL by name); many of
    # them are a binary file, not text: more than one, and more than 1 % of the bytes.
    controls = sum(data[:65536].count(b) for b in _BINARY_BYTES)
    if controls > 1 and controls * 100 > min(len(data), 65536):
        raise UnusableFileError(f"{path}: not a CSV text file (it holds binary data)")
    return _utf8(path, data, "utf-8", "UTF-8")


def _utf8(path: Path, data: bytes, codec: str, name: str) -> tuple[str, str]:
    if data.isascii():  # ASCII is UTF-8: a scan in C, where decoding makes the whole text
        return codec, name
    try:
        data.decode("utf-8")
        return codec, name
    except UnicodeDecodeError:
        pass
    readable = data.decode("utf-8", errors="replace")
    bad = readable.count("\ufffd")
    characters = sum(1 for c in readable if ord(c) > 127) - bad
    # Real UTF-8 text with a few strays has many more good characters than bad bytes. In
    # code-page text a good one is a coincidence (Cyrillic capital + '»' is valid UTF-8).
    if characters >= 2 * bad:
        return f"{codec}:surrogateescape", f"{name} with {bad} byte(s) that are not UTF-8"
    return _code_page(path, data)


def _code_page(path: Path, data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes  # only files that are not UTF-8 pay for it

    # threshold=1: every page that decodes the bytes is a candidate; short files (a few names)
    # look "chaotic" to the default cut-off although only one page reads them at all.
    results = list(from_bytes(data, cp_isolation=_CODE_PAGES, threshold=1.0))
    if not results:
        raise UnusableFileError(
            f"{path}: not text in UTF-8, UTF-16 or a Windows code page; save it as 'CSV UTF-8'"
        )
    best = min(results, key=lambda r: (r.chaos, -r.coherence))
    # charset-normalizer merges pages that decode the bytes identically: ask each result
    # which pages it stands for (plain Western text reads the same in 1250 and 1252).
    western = next((r for r in results if "cp1252" in r.could_be_from_charset), None)
    # Western text reads as well in the Central European page: the Western one wins ties
    # (Excel's plain "CSV" on most machines), another page only when it reads clearly better.
    if western is not None and (western.chaos, -western.coherence) <= (best.chaos, -best.coherence):
        return "cp1252", _CODE_PAGE_NAMES["cp1252"]
    return best.encoding, _CODE_PAGE_NAMES.get(best.encoding, best.encoding)


def _check(path: Path, data: bytes, codec: str) -> str:
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnusableFileError(
            f"{path}: not valid {codec} text (byte offset {exc.start}); save it as 'CSV UTF-8'"
        ) from None
    return codec


def detect_delimiter(text: str) -> tuple[str, str, str]:
    """(delimiter, quotechar, escapechar) for a CSV text."""
    obvious = _only_delimiter_in_header(text)
    if obvious:  # one candidate in the header, outside quotes: nothing to weigh
        return obvious, '"', ""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    import clevercsv  # imported lazily: it is only needed for text files

    # clevercsv refuses NUL characters; they say nothing about the delimiter anyway
    try:
        dialect = clevercsv.Detector().detect(sample.replace("\0", ""), delimiters=list(DELIMITERS))
    except clevercsv.exceptions.Error:
        dialect = None
    if dialect is None or dialect.delimiter not in DELIMITERS:
        return ",", '"', ""  # one column, or nothing to go on: the CSV default
    return dialect.delimiter, dialect.quotechar or '"', dialect.escapechar or ""


def _only_delimiter_in_header(text: str) -> str | None:
    first = text.lstrip("\r\n").split("\n", 1)[0]
    if '"' in first:  # quoted header cells may hide delimiters: let clevercsv weigh it
        return None
    found = [d for d in DELIMITERS if d in first]
    return found[0] if len(found) == 1 else None


def _read_csv(path: Path, data: bytes, codec: str, encoding: str) -> _CsvReading:
    codec, _, errors = codec.partition(":")
    errors = errors or "strict"
    head = data[: _SNIFF_CHARS * 4].decode(codec, errors="ignore")
    excel_hint = re.match(r"sep=(.)\r?\n", head)
    if excel_hint:  # Excel's own "sep=;" first line names the delimiter
        delimiter, quotechar, escapechar = excel_hint.group(1), '"', ""
    else:
        delimiter, quotechar, escapechar = detect_delimiter(head)
    description = f"CSV, {encoding}, {_DELIMITER_NAMES.get(delimiter, repr(delimiter))}-separated"
    return _CsvReading(codec, errors, delimiter, quotechar, escapechar,
                       2 if excel_hint else 1, description)  # fmt: skip


@dataclass(frozen=True)
class _CsvReading:
    """How a CSV file reads, found from its bytes; `read` parses the file itself."""

    codec: str
    errors: str
    delimiter: str
    quotechar: str
    escapechar: str
    first_row: int  # 2 after Excel's "sep=" line
    description: str

    def read(self, path: Path) -> Grid:
        fast = _parse_with_pandas(path, self)
        if fast is not None:
            return _grid(path, fast, self.first_row, self.description, gaps_end_rows=True)
        text = path.read_bytes().decode(self.codec, self.errors)
        if self.first_row == 2:
            text = text[text.index("\n") + 1 :]
        reader = csv.reader(
            io.StringIO(text, newline=""),
            delimiter=self.delimiter,
            quotechar=self.quotechar,
            escapechar=self.escapechar or None,
            strict=True,
        )
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise UnusableFileError(
                f"{path}: not a readable CSV near line {reader.line_num + self.first_row - 1}: "
                f"{exc}"
            ) from None
        return _grid(path, _ragged_frame(rows), self.first_row, self.description,
                     [len(r) for r in rows])  # fmt: skip


def _parse_with_pandas(path: Path, reading: _CsvReading) -> pd.DataFrame | None:
    """The fast path: pandas' C parser on the file, one frame row per record, blank lines kept.

    Returns None when the file needs the careful path (rows wider than the first, broken
    quoting), which keeps every record whatever its width instead of failing on it.
    """
    try:
        with path.open("rb") as handle:  # (a handle: the parser reads it a chunk at a time)
            return pd.read_csv(
                handle,
                encoding=reading.codec,
                encoding_errors=reading.errors,
                skiprows=reading.first_row - 1,
                sep=reading.delimiter,
                quotechar=reading.quotechar,
                escapechar=reading.escapechar or None,
                header=None,
                dtype=object,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeError):
        return None


def _ragged_frame(rows: list[list[str]]) -> pd.DataFrame:
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([[*r, *[""] * (width - len(r))] for r in rows], dtype=object)


def _filled(column: pd.Series) -> pd.Series:
    """A parsed column as object text, '' where a short row left it without a cell."""
    if column.dtype.kind != "O":
        column = column.astype(object)
    return column.fillna("") if column.isna().any() else column


def _grid(
    path: Path,
    frame: pd.DataFrame,
    first_row: int,
    description: str,
    widths: list[int] | None = None,
    *,
    gaps_end_rows: bool = False,
) -> Grid:
    """Drop blank rows, keeping every row's spreadsheet number. Cells stay as written (the
    columns a format uses are stripped when mapped: most of a wide export is never read).

    `gaps_end_rows`: a cell can be missing only where its row ended early (pandas' C parser),
    so a row with a missing cell misses the last one too."""
    if frame.shape[1] == 0:
        raise UnusableFileError(f"{path}: the file is empty")
    if frame.shape[1] > MAX_COLUMNS:
        raise UnusableFileError(
            f"{path}: {frame.shape[1]:,} columns, more than the {MAX_COLUMNS:,} an export of "
            "cases can use; is this the right file?"
        )
    # Column by column, and only the columns with a missing cell (a short row's): filling
    # the whole frame copied every cell of it, a third of an event log's peak (issue 16).
    # When the gaps can only end rows, a last column without one says there is none at all:
    # one column looked at instead of every one (a tenth of reading a million-row CSV).
    whole = gaps_end_rows and frame.dtypes.eq(object).all() and not frame.iloc[:, -1].isna().any()
    cells = (
        frame.set_axis(range(frame.shape[1]), axis=1)
        if whole
        else pd.DataFrame({i: _filled(frame.iloc[:, i]) for i in range(frame.shape[1])}, copy=False)
    )
    # A blank row has nothing but whitespace in every cell: look at the first column for all
    # rows, and at the others only for the few rows whose first cell is blank.
    blank = np.array([not v.strip() for v in cells[0].tolist()], dtype=bool)
    for column in cells.columns[1:]:
        candidates = np.flatnonzero(blank)
        if candidates.size == 0:
            break
        values = cells[column].to_numpy()[candidates]
        blank[candidates] = [not v.strip() for v in values.tolist()]
    keep = np.flatnonzero(~blank)
    if keep.size == 0:
        raise UnusableFileError(f"{path}: the file is empty")
    if keep.size < len(cells):
        cells = cells.iloc[keep].reset_index(drop=True)
    return Grid(path, cells, (keep + first_row).astype(np.int64), description,
                widths=None if widths is None else np.asarray(widths)[keep])  # fmt: skip


# Workbooks are read by openpyxl at about 20 microseconds a cell, and a small .xlsx can expand
# to far more than its size (2 MB of workbook whose cells held 100 MB ran 40 minutes at 5 GB:
# issue 13). So before any XML is parsed, the zip's own directory must show a workbook an
# export of cases makes, and while the sheet is read its cells are counted; anything larger is
# refused, pointing at CSV, which reads a million cases in seconds. Whatever passes reads in
# about 30 s and well under 1.5 GB (benchmarks/bench_xlsx.py).
MAX_EXPANDED_BYTES = 128 * 2**20  # the whole archive, expanded
MAX_SHEETS_BYTES = 64 * 2**20  # the worksheets' XML: 500,000 cells of text inline
MAX_PART_BYTES = 16 * 2**20  # any other part, the shared strings (the cells' text) included
MAX_RATIO = 100  # expanded / compressed; worksheets compress about 10 times, zip bombs 1,000
RATIO_FROM_BYTES = 2**20  # (a small part may compress far better, harmlessly)
MAX_COLUMNS = 5_000  # exports we know have at most a few hundred
MAX_CELLS = 500_000  # cells read (a row counts one at least): 16,000 rows of 30 columns
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_TEXT_CHARS = 64 * 2**20  # all cells together; a shared string counts each time it is used
_TO_CSV = "save the sheet as CSV and import that instead"
_CONTENT_TYPES = "[Content_Types].xml"
_SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _read_xlsx(path: Path, data: bytes) -> Grid:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise UnusableFileError(f"{path}: a damaged zip or .xlsx file") from None
    if "xl/workbook.xml" not in names:
        raise UnusableFileError(f"{path}: a zip archive, not an .xlsx workbook")
    _check_expansion(path, archive)
    import openpyxl  # imported lazily: only workbooks need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise UnusableFileError(f"{path}: cannot open the workbook ({exc})") from None
    try:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if not visible:
            raise UnusableFileError(f"{path}: the workbook has no visible sheet")
        sheet = visible[0]
        # openpyxl pads every row to the sheet's used range: one stray cell at XFD1048576
        # turns a 5 KB file into 17 billion cells. Refuse by the declared range, and count.
        declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
        if declared_columns > MAX_COLUMNS or declared_rows * declared_columns > MAX_CELLS:
            raise UnusableFileError(_too_large_sheet(path, declared_rows, declared_columns))
        try:
            rows = _sheet_rows(path, sheet)
        except UnusableFileError:
            raise
        except Exception as exc:  # a damaged sheet fails as it is read (a missing string...)
            raise UnusableFileError(
                f"{path}: cannot read the workbook's sheet {sheet.title!r} "
                f"({type(exc).__name__}: {exc})"
            ) from None
        title = sheet.title
    finally:
        workbook.close()
    return _grid(path, _ragged_frame(rows), 1, f"Excel workbook, sheet {title!r}")


def _sheet_rows(path: Path, sheet) -> list[list[str]]:
    """The sheet's rows as text, counting cells and characters as they are read."""
    rows, cells, chars = [], 0, 0
    for row in sheet.iter_rows():
        cells += max(len(row), 1)
        if len(row) > MAX_COLUMNS or cells > MAX_CELLS:
            raise UnusableFileError(_too_large_sheet(path, len(rows) + 1, len(row)))
        texts = [_cell_text(cell) for cell in row]
        sizes = [len(text) for text in texts]
        chars += sum(sizes)
        if max(sizes, default=0) > MAX_CELL_CHARS:
            raise UnusableFileError(_too_long_cell(path, row[sizes.index(max(sizes))]))
        if chars > MAX_TEXT_CHARS:
            raise UnusableFileError(
                f"{path}: the sheet's cells hold more than {MAX_TEXT_CHARS / 2**20:,.0f} "
                f"million characters by row {len(rows) + 1:,} (a text used in many cells "
                f"counts each time): more than an export of cases holds; {_TO_CSV}"
            )
        rows.append(texts)
    return rows


def _check_expansion(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse, from the sizes the zip's directory declares, a workbook that would expand past
    what reading it can afford. zipfile never inflates a member past its declared size, so
    the declared sizes are the sizes read."""
    members = archive.infolist()
    expanded = sum(member.file_size for member in members)
    if expanded > MAX_EXPANDED_BYTES:
        raise UnusableFileError(
            f"{path}: the workbook would expand to {_mb(expanded)} (more than "
            f"{_mb(MAX_EXPANDED_BYTES)}): refused as a likely zip bomb; {_TO_CSV}"
        )
    kinds = _content_types(path, archive)
    sheets = [m for m in members if kinds.get(m.filename) == _WORKSHEET]
    if sum(m.file_size for m in sheets) > MAX_SHEETS_BYTES:
        largest = max(sheets, key=lambda m: m.file_size)
        raise UnusableFileError(
            f"{path}: its sheets would expand to {_mb(sum(m.file_size for m in sheets))} of "
            f"XML ({largest.filename} {_mb(largest.file_size)}; more than "
            f"{_mb(MAX_SHEETS_BYTES)}): too large to read as a workbook; {_TO_CSV}"
        )
    for member in members:
        if member not in sheets and member.file_size > MAX_PART_BYTES:
            raise UnusableFileError(_too_large_part(path, member, kinds))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            raise UnusableFileError(
                f"{path}: {member.filename} would expand {ratio:,.0f} times, to "
                f"{_mb(member.file_size)} (a workbook expands about 10 times; at most "
                f"{MAX_RATIO}): refused as a likely zip bomb; {_TO_CSV}"
            )


def _too_large_part(path: Path, member: zipfile.ZipInfo, kinds: dict[str, str]) -> str:
    what = member.filename
    if kinds.get(what) == _SHARED_STRINGS:
        what = f"the text of its cells ({what})"
    return (
        f"{path}: {what} would expand to {_mb(member.file_size)} (more than "
        f"{_mb(MAX_PART_BYTES)}): too large to read as a workbook; {_TO_CSV}"
    )


def _content_types(path: Path, archive: zipfile.ZipFile) -> dict[str, str]:
    """Each part's declared content type (the Override entries, which openpyxl follows to
    find the shared strings), by member name."""
    from xml.etree import ElementTree

    try:
        member = archive.getinfo(_CONTENT_TYPES)
    except KeyError:
        return {}
    if member.file_size > MAX_PART_BYTES:
        raise UnusableFileError(_too_large_part(path, member, {}))
    try:
        root = ElementTree.fromstring(archive.read(member))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UnusableFileError(f"{path}: a damaged .xlsx file ({exc})") from None
    return {
        node.get("PartName", "").lstrip("/"): node.get("ContentType", "")
        for node in root
        if node.tag.rsplit("}", 1)[-1] == "Override"
    }


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size / 2**20:,.1f} MB"


def _too_long_cell(path: Path, cell) -> str:
    length = len(_cell_text(cell))
    return (
        f"{path}: cell {getattr(cell, 'coordinate', '?')} holds {length:,} characters, more "
        f"than a spreadsheet cell can ({MAX_CELL_CHARS:,}): not a workbook a spreadsheet "
        f"wrote; {_TO_CSV}"
    )


def _too_large_sheet(path: Path, rows: int, columns: int) -> str:
    return (
        f"{path}: the sheet's used range reaches row {rows:,}, column {columns:,}: more than "
        f"the {MAX_CELLS:,} cells a workbook export of cases may have (a stray cell far from "
        f"the data?); delete it or {_TO_CSV}"
    )


def _cell_text(cell) -> str:
    """A cell as text; dates and times in ISO 8601 (a workbook's are local wall times).

    A cell formatted as a date alone reads as a date alone ("2026-03-02"), which timestamps
    then refuse, rather than as midnight: Excel stores both as the same number.
    """
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        shows_time = any(c in str(getattr(cell, "number_format", "")).lower() for c in "hs")
        if not shows_time and value.time() == dt.time():
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unique_header(cells: list[str]) -> list[str]:
    header: list[str] = []
    taken: set[str] = set()
    copies: dict[str, int] = {}  # the last copy number given to each name: linear, not cubic
    for position, cell in enumerate(cells, start=1):
        name = cell.strip().lstrip("\ufeff") or f"column {position}"
        candidate = name
        while candidate in taken:
            copies[name] = copies.get(name, 1) + 1
            candidate = f"{name} ({copies[name]})"
        taken.add(candidate)
        header.append(candidate)
    return header


def _too_wide(fields: list[str], header: list[str], row: int) -> Reject:
    named = dict(zip(header, fields, strict=False))
    named.update({f"extra {i}": v for i, v in enumerate(fields[len(header) :], start=1)})
    return Reject(
        row,
        "",
        f"row has {len(fields)} fields but the header has {len(header)} "
        "(an unquoted delimiter inside a value?)",
        named,
    )
