"""What the dashboard lets people download: tables as CSV, charts as PNG or SVG.

CSV cells that a spreadsheet would run as a formula (text starting with = + - @, or a tab or
carriage return before one) are neutralised with a leading apostrophe, OWASP's advice for CSV
injection: a customer name like `=HYPERLINK(...)` stays text when the file is opened. So is a
cell holding a line break anywhere (`Help\r=1+2`): a spreadsheet that splits the row there
would run what follows. Rows end in CR LF (RFC 4180), so the writer quotes every cell holding
either character and no bare CR can end a row early. Numbers are left alone (a negative
number is a number, not a formula). The file is UTF-8 with a byte order mark, so Excel shows
accents right.
"""

from __future__ import annotations

import io
import re
from typing import Literal

import altair as alt
import pandas as pd

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_AFTER_BREAK = re.compile(r"([\r\n])(?=[=+\-@\t])")


def neutralised(value: object) -> object:
    """A text cell a spreadsheet would evaluate, made inert; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if "\r" in value or "\n" in value:
        # A reader that splits rows at a line break even inside quotes starts a "row" at each
        # one: each such line is made inert as the cell's start is.
        value = _AFTER_BREAK.sub(r"\1'", value)
        return "'" + value
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as a CSV file that is safe to open in a spreadsheet."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralised)
    header = [neutralised(str(c)) for c in safe.columns]
    # CR LF rows: the csv writer quotes any cell holding a character of the row terminator.
    text = safe.to_csv(index=False, header=header, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def chart_bytes(chart: alt.TopLevelMixin, kind: Literal["png", "svg"]) -> bytes:
    """The chart rendered without a browser (vl-convert), for a download button."""
    if kind not in ("png", "svg"):
        raise ValueError(f"a chart downloads as 'png' or 'svg' (not {kind!r})")
    if kind == "svg":
        text = io.StringIO()
        chart.save(text, format="svg")
        return text.getvalue().encode("utf-8")
    image = io.BytesIO()
    chart.save(image, format="png", scale_factor=2)  # sharp on high-density screens and slides
    return image.getvalue()


def file_name(*parts: str, suffix: str) -> str:
    """A download's name from its page, view and period: lower case, no spaces or slashes."""
    words = "-".join(p for p in parts if p)
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in words.lower())
    return f"{safe.strip('-') or 'download'}.{suffix}"
