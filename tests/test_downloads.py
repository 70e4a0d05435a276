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
        ("\r=1", "'\r=1"),
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
