"""Reading exports: encodings, delimiters, workbooks, row numbers; unusable files refused."""

from __future__ import annotations

import datetime as dt
import gzip

import openpyxl
import pytest

from dashboard.errors import UnusableFileError
from dashboard.importer import readers
from dashboard.importer.readers import (
    read_grid,
    read_table,
    table_from_grid,
)
from tests.workbooks import repeated, workbook

TEXT = "case_id,customer,severity,created_at\nC-1,Zoë Café,P1,2026-03-02 09:00\nC-2,Ågot,P2,\n"


def _write(tmp_path, content, name="cases.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


ENCODINGS = [
    ("utf-8", "", "UTF-8"),
    ("utf-8", "\ufeff", "UTF-8 with BOM"),
    ("utf-16", "", "UTF-16"),  # with BOM, as Excel's "Unicode text" writes it
    ("utf-16-le", "", "UTF-16 LE"),
    ("cp1252", "", "Windows-1252"),
]


@pytest.mark.parametrize(("encoding", "prefix", "described"), ENCODINGS)
@pytest.mark.parametrize(("delimiter", "named"), [(",", "comma"), (";", "semicolon"),
                                                  ("\t", "tab"), ("|", "pipe")])  # fmt: skip
def test_every_encoding_and_delimiter_reads_the_same(
    tmp_path, encoding, prefix, described, delimiter, named
):
    text = prefix + TEXT.replace(",", delimiter)
    table = read_table(_write(tmp_path, text.encode(encoding)))
    assert table.header == ["case_id", "customer", "severity", "created_at"]
    assert table.frame.values.tolist() == [
        ["C-1", "Zoë Café", "P1", "2026-03-02 09:00"],
        ["C-2", "Ågot", "P2", ""],
    ]
    assert table.description == f"CSV, {described}, {named}-separated"


def test_delimiters_inside_quotes_do_not_fool_detection(tmp_path):
    text = 'Ticket ID;Subject;Priority\n1;"Hello, world; again";High\n2;"a,b";Low\n'
    table = read_table(_write(tmp_path, text))
    assert table.frame["Subject"].tolist() == ["Hello, world; again", "a,b"]


def test_an_excel_sep_line_names_the_delimiter(tmp_path):
    table = read_table(_write(tmp_path, "sep=;\na;b\n1;2\n"))
    assert table.frame.values.tolist() == [["1", "2"]]
    assert table.row_numbers.tolist() == [3]


def test_row_numbers_are_what_a_spreadsheet_shows(tmp_path):
    text = 'a,b\n"two\nlines",1\n\nB,2\n'
    table = read_table(_write(tmp_path, text))
    # The quoted field spans two text lines but is one spreadsheet row (2); row 3 is blank.
    assert table.row_numbers.tolist() == [2, 4]
    assert table.frame["a"].tolist() == ["two\nlines", "B"]


def test_too_wide_rows_are_rejected_whole_short_rows_padded(tmp_path):
    text = "a,b,c\n1,2,3,4\n5,6\n7,8,9,,\n"
    table = read_table(_write(tmp_path, text))
    assert table.frame.values.tolist() == [["5", "6", ""], ["7", "8", "9"]]
    [reject] = table.rejects
    assert reject.row == 2
    assert reject.reason.startswith("row has 4 fields but the header has 3")
    assert reject.fields == {"a": "1", "b": "2", "c": "3", "extra 1": "4"}
    assert table.records == 3


def test_short_and_blank_rows_on_the_fast_path_read_as_empty_cells(tmp_path):
    # The C parser reads this file (no row is too wide): a short row's missing cells, the
    # last one among them, are empty text, and the blank row is dropped.
    table = read_table(_write(tmp_path, "a,b,c\n1,2\n\n3,4,5\n6\n"))
    assert table.frame.values.tolist() == [["1", "2", ""], ["3", "4", "5"], ["6", "", ""]]
    assert table.row_numbers.tolist() == [2, 4, 5]
    assert not table.rejects


def test_repeated_headers_are_kept_apart(tmp_path):
    table = read_table(_write(tmp_path, "Issue key,Labels,Labels,Labels\nA-1,x,y,\n"))
    assert table.header == ["Issue key", "Labels", "Labels (2)", "Labels (3)"]
    assert table.frame.iloc[0].tolist() == ["A-1", "x", "y", ""]


def test_the_header_can_sit_below_a_title(tmp_path):
    grid = read_grid(_write(tmp_path, "Report: all tickets\n\n#,Title\n1,Hello\n"))
    table = table_from_grid(grid, 1)
    assert (table.header, table.header_row) == (["#", "Title"], 3)
    assert table.row_numbers.tolist() == [4]


def _workbook(tmp_path, rows, name="report.xlsx"):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_xlsx_cells_become_text_dates_in_iso(tmp_path):
    path = _workbook(
        tmp_path,
        [
            ["#", "Created At", "Count", "Ratio", "Flag", "Empty"],
            [1001, dt.datetime(2026, 3, 2, 9, 15, 30), 3.0, 0.5, True, None],
        ],
        name="tickets.xls",  # Zammad names its .xlsx reports .xls: content decides
    )
    table = read_table(path)
    assert table.frame.iloc[0].tolist() == ["1001", "2026-03-02 09:15:30", "3", "0.5", "true", ""]
    assert table.description == "Excel workbook, sheet 'Sheet'"


UNUSABLE = [
    (b"", "the file is empty"),
    (b"\n\n  \n", "the file is empty"),
    (b"\x00\x01\x02binary\x00", "not a CSV text file (it holds binary data)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "an old binary Excel (.xls) workbook"),
    # mtime=0: the same bytes, hence the same test id, in every pytest-xdist worker
    (
        gzip.compress(b"case_id,severity\nA,1\n", mtime=0),
        "a gzip-compressed file (unpack it first)",
    ),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document, not a CSV or .xlsx export"),
    (bytes(range(256)) * 4, "not a CSV text file (it holds binary data)"),
    (b"PK\x03\x04not really a zip", "a damaged zip or .xlsx file"),
    (b'case_id,severity\nA,"P1\n', "not a readable CSV near line"),
]


@pytest.mark.parametrize(("content", "message"), UNUSABLE)
def test_unusable_files_are_refused_in_one_line_naming_the_file(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(UnusableFileError) as caught:
        read_grid(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(UnusableFileError, match=r"a zip archive, not an \.xlsx workbook"):
        read_grid(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UnusableFileError, match="file not found"):
        read_grid(tmp_path / "absent.csv")
    with pytest.raises(UnusableFileError, match="is a folder"):
        read_grid(tmp_path)


def test_an_unnamed_column_at_the_end_is_kept_when_rows_fill_it(tmp_path):
    # A notes column nobody titled: its rows are not "too wide", and nothing is dropped.
    text = (
        "case_id,severity,created_at,,\r\nA1,2,2026-03-02T10:00:00,note,\r\nA2,2,2026-03-02,,\r\n"
    )
    table = read_table(_write(tmp_path, text))
    assert table.header == ["case_id", "severity", "created_at", "column 4"]
    assert table.frame["column 4"].tolist() == ["note", ""]
    assert table.rejects == []


@pytest.mark.parametrize(
    ("encoding", "described", "name"),
    [
        ("cp1250", "Windows-1250", "Łódź Sp. z o.o. – Źródło"),
        ("cp1251", "Windows-1251", "ООО Ромашка"),
        # a capital letter then '»' or 'ё' happens to be valid UTF-8: still Cyrillic text
        ("cp1251", "Windows-1251", "ООО «МТС»"),
        ("cp1251", "Windows-1251", "Пётр Иванов"),
        ("cp1252", "Windows-1252", "Société Générale – Ågot"),
        ("cp1252", "Windows-1252", "SOCIÉTÉ «ÉTÉ»"),
        ("cp1252", "Windows-1252", "Café Müller"),  # reads the same in 1250: Western wins
    ],
)
def test_code_pages_are_told_apart(tmp_path, encoding, described, name):
    text = f"case_id,customer\nA,{name}\nB,{name} bis\n"
    table = read_table(_write(tmp_path, text.encode(encoding)))
    assert table.description == f"CSV, {described}, comma-separated"
    assert table.frame["customer"].tolist() == [name, f"{name} bis"]


def test_a_utf8_file_with_stray_bytes_keeps_them_for_the_rejects(tmp_path):
    data = "case_id,customer\nA,Société\n".encode() + "B,Café\n".encode("cp1252")
    table = read_table(_write(tmp_path, data))
    assert table.description == "CSV, UTF-8 with 1 byte(s) that are not UTF-8, comma-separated"
    assert table.frame["customer"].tolist()[0] == "Société"
    stray = table.frame["customer"].tolist()[1]
    assert stray.encode("utf-8", "surrogateescape") == "Café".encode("cp1252")


def test_an_xlsx_cell_formatted_as_a_date_alone_reads_as_a_date(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["#", "Created At", "Closed At"])
    sheet.append([1, dt.datetime(2026, 3, 2, 0, 0), dt.datetime(2026, 3, 2, 0, 0)])
    sheet["B2"].number_format = "yyyy-mm-dd"
    sheet["C2"].number_format = "yyyy-mm-dd hh:mm"
    path = tmp_path / "dates.xlsx"
    workbook.save(path)
    table = read_table(path)
    assert table.frame.iloc[0].tolist() == ["1", "2026-03-02", "2026-03-02 00:00:00"]


def test_a_nul_in_a_cell_of_a_quoted_file_is_a_bad_row_not_a_broken_file(tmp_path):
    text = '"case_id","customer"\n"A","Acme"\n"B",Glo\x00bex\n"C","Initech"\n'
    table = read_table(_write(tmp_path, text.encode()))
    assert table.frame["case_id"].tolist() == ["A", "B", "C"]
    assert table.frame["customer"].tolist()[1] == "Glo\x00bex"  # validation names and rejects it


# -- workbooks that expand past what reading them can afford (issue 13) -----------------------
# A 2 MB .xlsx whose cells held 100 MB passed the old checks and ran 40 minutes at 5 GB.

HEADER_CELLS = ["case_id", "customer", "severity", "created_at", "subject"]
CSV_HINT = "save the sheet as CSV and import that instead"


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    """Refusals made from the zip's directory alone: openpyxl must not be asked to read."""

    def refused(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", refused)


def _xlsx(tmp_path, data: bytes, name="export.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _expect(path, message: str) -> str:
    with pytest.raises(UnusableFileError) as refused:
        read_grid(path)
    text = str(refused.value)
    assert text.startswith(f"{path}: "), text
    assert text.endswith(CSV_HINT), text
    assert message in text, text
    assert "\n" not in text
    return text


def test_a_workbook_whose_cell_text_expands_to_100_mb_is_refused_unread(
    tmp_path, openpyxl_never_opens
):
    shared = [*HEADER_CELLS, repeated(b"x" * 2**20, 101)]  # 101 MB of text, 100 KB zipped
    rows = [[0, 1, 2, 3, 4], ["A1", "Acme", "P1", "2026-03-02 09:00", 5]]
    path = _xlsx(tmp_path, workbook(rows, shared))
    assert path.stat().st_size < 2**20
    _expect(
        path,
        "the text of its cells (xl/sharedStrings.xml) would expand to 101 MB (more than "
        "16 MB): too large to read as a workbook",
    )


def test_a_part_that_expands_a_thousand_times_is_refused_unread(tmp_path, openpyxl_never_opens):
    shared = [*HEADER_CELLS, repeated(b"x" * 2**20, 10)]  # under 16 MB, but 10 MB from 10 KB
    path = _xlsx(tmp_path, workbook([[0, 1, 2, 3, 4]], shared))
    _expect(path, "xl/sharedStrings.xml would expand 1,0")
    _expect(path, "times, to 10 MB (a workbook expands about 10 times; at most 100): refused as")


def test_sheets_past_a_million_cells_of_xml_are_refused_unread(
    tmp_path, monkeypatch, openpyxl_never_opens
):
    monkeypatch.setattr(readers, "MAX_SHEETS_BYTES", 2**20)  # a small sheet, not 64 MB of one
    rows = [
        [f"C{i}", f"Customer {i}", "P2", f"2026-03-{i % 28 + 1:02d} 09:00"] for i in range(30_000)
    ]
    path = _xlsx(tmp_path, workbook(rows))
    _expect(path, "its sheets would expand to ")
    _expect(path, "of XML (xl/worksheets/sheet1.xml ")


def test_a_cell_longer_than_a_spreadsheet_cell_can_be_is_refused(tmp_path):
    long = "y" * (readers.MAX_CELL_CHARS + 1)
    rows = [[0, 1, 2, 3, 4], ["A1", "Acme", "P1", "2026-03-02 09:00", 5]]
    path = _xlsx(tmp_path, workbook(rows, [*HEADER_CELLS, long]))
    _expect(path, "cell E2 holds 32,768 characters, more than a spreadsheet cell can (32,767)")


def test_one_text_used_in_every_cell_is_counted_each_time_and_refused_early(tmp_path, monkeypatch):
    """The old reader held a reference per cell, then every later step copied the text: 100
    cells of one 100 MB shared string made 10 GB. Each use counts, and reading stops at the
    limit: 30,000 characters used 100,000 times is refused by row 2,238."""
    rows_read = []
    real = readers._cell_text
    monkeypatch.setattr(readers, "_cell_text", lambda cell: rows_read.append(1) or real(cell))
    rows = [[0]] + [[1]] * 100_000
    path = _xlsx(tmp_path, workbook(rows, ["subject", "z" * 30_000]))
    _expect(path, "the sheet's cells hold more than 64 million characters by row 2,238")
    assert len(rows_read) <= 2_238


def test_a_workbook_within_the_limits_is_read(tmp_path):
    shared = [*HEADER_CELLS, "Acme", "P1"]
    rows = [[0, 1, 2, 3, 4]] + [
        [f"C{i}", 5, 6, f"2026-03-02 {9 + i % 8:02d}:00", f"Subject {i}"] for i in range(2_000)
    ]
    grid = read_grid(_xlsx(tmp_path, workbook(rows, shared)))
    assert grid.cells.shape == (2_001, 5)
    assert grid.cells.iloc[1].tolist() == ["C0", "Acme", "P1", "2026-03-02 09:00", "Subject 0"]
    assert grid.description == "Excel workbook, sheet 'Cases'"


def test_a_sheet_that_fails_as_it_is_read_is_refused_in_one_line(tmp_path):
    path = _xlsx(tmp_path, workbook([["case_id", 0], ["A1", 7]], ["severity"]))  # no string 7
    with pytest.raises(UnusableFileError) as refused:
        read_grid(path)
    assert str(refused.value) == (
        f"{path}: cannot read the workbook's sheet 'Cases' (IndexError: list index out of range)"
    )


def test_a_file_changed_while_it_is_parsed_is_refused(tmp_path, monkeypatch):
    """The CSV parser reads the file itself once its bytes were checked and hashed (issue 16:
    holding them beside the parsed cells was the read's peak): a file that changes in
    between is refused rather than read as something other than its checksum says."""
    from dashboard.importer import readers

    export = tmp_path / "cases.csv"
    export.write_text("case_id,customer\nA1,Acme\n", encoding="utf-8")
    parse = readers._parse_with_pandas

    def appended_meanwhile(path, reading):
        with path.open("a", encoding="utf-8") as out:
            out.write("A2,Initech\n")
        return parse(path, reading)

    monkeypatch.setattr(readers, "_parse_with_pandas", appended_meanwhile)
    with pytest.raises(UnusableFileError, match="changed while it was being read"):
        read_grid(export)


def test_the_checksum_is_the_sha256_of_the_files_bytes(tmp_path):
    """A CSV's is taken from the file on a second thread while pandas parses it (issue 16); a
    workbook's from the bytes read. Either is the one the import log keeps and an upload is
    matched by."""
    import hashlib

    export = tmp_path / "cases.csv"
    export.write_bytes("case_id,customer\nA1,Acme\nA2,Ünïcode\n".encode())
    workbook_path = _workbook(tmp_path, [["case_id", "customer"], ["A1", "Acme"]])
    for path in (export, workbook_path):
        grid = read_grid(path)
        assert grid.checksum == hashlib.sha256(path.read_bytes()).hexdigest(), path
        assert grid.size == path.stat().st_size


def test_a_csv_that_cannot_be_read_again_for_its_checksum_is_refused(tmp_path, monkeypatch):
    """The checksum reads the file a second time: a file gone in between is said so."""
    export = tmp_path / "cases.csv"
    export.write_text("case_id,customer\nA1,Acme\n", encoding="utf-8")

    def gone(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(readers, "_sha256_of_file", gone)
    with pytest.raises(UnusableFileError) as refused:
        read_grid(export)
    assert str(refused.value) == f"{export}: cannot read the file (Permission denied)"
