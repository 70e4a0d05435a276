"""Downloads: CSV that no spreadsheet runs as code, charts as real PNG and SVG files."""

from __future__ import annotations

import csv
import io

import altair as alt
import pandas as pd
import pytest

from dashboard.downloads import chart_bytes, csv_bytes, file_name, neutralised


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r'=1"),
        ("Help\r=1+2", "'Help\r'=1+2"),  # a spreadsheet splitting the row here ran =1+2
        ("two\nlines", "'two\nlines"),
        ("Acme Payments", "Acme Payments"),
        ("", ""),
        (-3.5, -3.5),  # a number is a number
        (None, None),
    ],
)
def test_formula_shaped_text_is_neutralised(cell, safe):
    assert neutralised(cell) == safe


def test_csv_keeps_numbers_and_neutralises_text_and_headers():
    frame = pd.DataFrame(
        {
            "customer": ["=cmd|' /C calc'!A0", "Société"],
            "overshoot_hours": [-1.5, 2.0],
            "=evil": ["x", "y"],
        }
    )
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["customer", "overshoot_hours", "'=evil"]
    assert rows[1] == ["'=cmd|' /C calc'!A0", "-1.5", "x"]
    assert rows[2] == ["Société", "2.0", "y"]


def test_a_line_break_inside_a_cell_never_ends_the_row():
    """Issue 13: `Help\r=1+2` was written unquoted with a bare CR; a spreadsheet that ends a
    row at any CR started a new row at `=1+2` and evaluated it."""
    frame = pd.DataFrame({"subject": ["Help\r=1+2", "a\nb", "plain"], "n": [1, 2, 3]})
    data = csv_bytes(frame).decode("utf-8-sig")
    # Every CR or LF inside a cell sits within quotes: outside quotes, only CR LF ends rows.
    outside, quoted = [], False
    for char in data:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(char)
    assert "".join(outside).replace("\r\n", "\n").count("\r") == 0
    assert data.endswith("plain,3\r\n")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows == [["subject", "n"], ["'Help\r'=1+2", "1"], ["'a\nb", "2"], ["plain", "3"]]
    # and a reader that splits lines at any CR or LF first sees no cell starting with =
    for line in data.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), line


def test_charts_download_as_png_and_svg():
    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_bar().encode(x="x", y="y")
    assert chart_bytes(chart, "png").startswith(b"\x89PNG\r\n\x1a\n")
    assert chart_bytes(chart, "svg").lstrip().startswith(b"<svg")
    with pytest.raises(ValueError, match="'png' or 'svg'"):
        chart_bytes(chart, "gif")


def test_file_names_are_plain():
    assert file_name("SLA attainment", "Breaches", "2026-Q1", suffix="csv") == (
        "sla-attainment-breaches-2026-q1.csv"
    )
    assert file_name("../../etc/passwd", suffix="png") == "..-..-etc-passwd.png"
    assert file_name(suffix="svg") == "download.svg"
