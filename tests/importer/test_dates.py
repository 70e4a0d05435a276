"""Day/month order: decided once per file from every date in it, never guessed row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import timestamps
from dashboard.errors import UnusableFileError
from dashboard.importer.dates import decide_date_reading, format_order
from tests.helpers import TextArrays

ISO = "ISO8601"
DMY = "%d/%m/%Y %H:%M"
MDY = "%m/%d/%Y %H:%M"
DMY_SECONDS = "%d/%m/%Y %H:%M:%S"
MDY_SECONDS = "%m/%d/%Y %H:%M:%S"
# As Zendesk lists them: the file decides between the two orders.
BOTH = [ISO, DMY, MDY, DMY_SECONDS, MDY_SECONDS]


def _decide(columns: dict[str, list[str]], formats=BOTH, *, order=None, first_row=2):
    """Decide for columns of equal length whose first value is on spreadsheet `first_row`."""
    length = len(next(iter(columns.values())))
    rows = np.arange(first_row, first_row + length, dtype=np.int64)
    values = {name: pd.Series(cells, dtype=object) for name, cells in columns.items()}
    return decide_date_reading(values, rows, formats, order=order, file="export.csv")


# -- format_order: which formats compete --------------------------------------------------------

FORMAT_ORDERS = [
    # numeric day and month: the order matters
    ("%d/%m/%Y", "DMY"),
    ("%d/%m/%Y %H:%M", "DMY"),
    ("%d.%m.%Y %H:%M:%S", "DMY"),
    ("%d-%m-%Y %H:%M:%S", "DMY"),
    ("%d/%m/%y", "DMY"),
    ("%m/%d/%Y", "MDY"),
    ("%m/%d/%Y %I:%M:%S %p", "MDY"),
    ("%m/%d/%y %H:%M", "MDY"),
    # year first is always year-month-day
    ("%Y/%m/%d", ""),
    ("%Y-%m-%d %H:%M", ""),
    # a month name cannot be mistaken for a day
    ("%d/%b/%y", ""),
    ("%d/%b/%y %I:%M %p", ""),
    ("%b %d, %Y %I:%M %p", ""),
    ("%d %B %Y", ""),
    # ISO 8601 is year first
    (ISO, ""),
]


@pytest.mark.parametrize(("fmt", "order"), FORMAT_ORDERS)
def test_format_order_says_which_numeric_order_a_format_reads(fmt, order):
    assert format_order(fmt) == order


@pytest.mark.parametrize("fmt", ["%y/%m/%d", "%y-%m-%d %H:%M"])
def test_a_two_digit_year_first_is_year_month_day(fmt):
    assert format_order(fmt) == ""


# -- nothing to decide --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formats", "order"),
    [
        ([ISO], ""),
        ([ISO, DMY, DMY_SECONDS], "DMY"),
        ([MDY, "%d/%b/%y %I:%M %p"], "MDY"),
    ],
)
def test_formats_of_one_order_are_kept_without_looking_at_values(formats, order):
    reading = _decide({"created_at": ["02/13/2026 09:00", "13/02/2026 09:00"]}, formats)
    assert (reading.formats, reading.order, reading.explanation) == (tuple(formats), order, "")


def test_values_that_read_the_same_both_ways_need_no_decision():
    reading = _decide({"created_at": ["01/01/2026 09:00", "02/02/2026 10:00", ""]})
    # Both orders stay (neutral formats first); no value can tell them apart.
    assert sorted(reading.formats) == sorted(BOTH)
    assert reading.formats[0] == ISO
    assert (reading.order, reading.explanation) == ("", "")


@pytest.mark.parametrize(
    "values",
    [
        ["2026-03-02T09:00:00Z", "", "2026-03-05T17:00:00Z"],
        ["2026-03-02 09:00", "", "2026-03-05T17:00:00"],
    ],
)
def test_iso_and_empty_values_do_not_vote(values):
    reading = _decide({"created_at": values})
    assert sorted(reading.formats) == sorted(BOTH)
    assert (reading.order, reading.explanation) == ("", "")


@pytest.mark.parametrize(
    "values",
    [
        ["2026-03-02T09:00:00+00:00", "2026-06-02T09:00:00+01:00"],
        ["2026-03-02T09:00:00Z", "2026-03-02 09:00"],
    ],
)
def test_iso_values_with_different_offsets_need_no_decision(values):
    reading = _decide({"created_at": values})
    assert sorted(reading.formats) == sorted(BOTH)
    assert (reading.order, reading.explanation) == ("", "")


# -- one order decides --------------------------------------------------------------------------


def test_a_value_only_day_first_can_read_decides_dmy():
    reading = _decide(
        {"created_at": ["01/02/2026 09:00", "", "13/02/2026 10:00", "2026-03-02T09:00:00Z"]}
    )
    assert reading.order == "DMY"
    assert reading.formats == (ISO, DMY, DMY_SECONDS)
    assert reading.explanation == (
        "day/month order DMY: '13/02/2026 10:00' (created_at, row 4) can only be read day-first"
    )


def test_a_value_only_month_first_can_read_decides_mdy():
    reading = _decide({"created_at": ["01/02/2026 09:00", "02/13/2026 10:00:30"]}, first_row=5)
    assert reading.order == "MDY"
    assert reading.formats == (ISO, MDY, MDY_SECONDS)
    assert reading.explanation == (
        "day/month order MDY: '02/13/2026 10:00:30' (created_at, row 6) can only be read "
        "month-first"
    )


def test_evidence_in_another_column_decides_for_the_whole_file():
    reading = _decide(
        {
            "created_at": ["01/02/2026 09:00", "03/04/2026 09:00"],
            "first_response_at": ["", ""],
            "resolved_at": ["", "03/25/2026 17:00"],
        },
        first_row=7,
    )
    assert reading.order == "MDY"
    assert reading.explanation == (
        "day/month order MDY: '03/25/2026 17:00' (resolved_at, row 8) can only be read month-first"
    )


def test_the_first_decisive_value_is_named():
    reading = _decide({"created_at": ["20/02/2026 09:00", "13/02/2026 10:00"]})
    assert reading.explanation.startswith(
        "day/month order DMY: '20/02/2026 09:00' (created_at, row 2)"
    )


def test_a_file_that_contradicts_itself_is_refused_not_outvoted():
    values = {"created_at": ["13/02/2026 09:00", "02/13/2026 09:00", "14/02/2026 09:00"]}
    with pytest.raises(UnusableFileError) as caught:
        _decide(values)
    assert str(caught.value) == (
        "export.csv: day/month order cannot be decided: '13/02/2026 09:00' (created_at, row 2) "
        "can only be read day-first, '02/13/2026 09:00' (created_at, row 3) only month-first; "
        "say --date-order DMY or --date-order MDY (the other rows are then rejected)"
    )


# -- the file cannot decide ---------------------------------------------------------------------


def test_values_that_read_differently_both_ways_are_refused():
    with pytest.raises(UnusableFileError) as caught:
        _decide(
            {"created_at": ["", "01/01/2026 08:00", "01/02/2026 09:00", "03/04/2026 10:00"]},
            first_row=3,
        )
    assert str(caught.value) == (
        "export.csv: day/month order cannot be decided: every date reads both ways, e.g. "
        "'01/02/2026 09:00' (created_at, row 5) is 1 February 2026 day-first or "
        "2 January 2026 month-first; say --date-order DMY or --date-order MDY"
    )


def test_the_refusal_names_the_column_the_example_is_in():
    with pytest.raises(UnusableFileError, match=r"'05/06/2026 17:00' \(resolved_at, row 2\)"):
        _decide({"created_at": ["01/01/2026 09:00"], "resolved_at": ["05/06/2026 17:00"]})


# -- the user says which order ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "kept"),
    [("DMY", (ISO, DMY, DMY_SECONDS)), ("MDY", (ISO, MDY, MDY_SECONDS))],
)
def test_a_given_order_keeps_the_neutral_formats_and_that_order(order, kept):
    # Even against the file's own evidence (13/02 reads only day-first): the user decides.
    reading = _decide({"created_at": ["13/02/2026 09:00"]}, order=order)
    assert (reading.formats, reading.order) == (kept, order)
    assert reading.explanation == f"day/month order {order}, as requested"


def test_a_given_order_settles_a_file_that_cannot_decide():
    reading = _decide({"created_at": ["01/02/2026 09:00"]}, order="DMY")
    assert reading.order == "DMY"


def test_an_unknown_order_is_a_programming_error():
    with pytest.raises(ValueError, match="date order must be DMY or MDY, not 'YMD'"):
        _decide({"created_at": ["01/02/2026 09:00"]}, order="YMD")


def test_an_overlong_cell_has_no_say_and_never_sizes_an_array(monkeypatch):
    """Issue 13: the vote reads every date of the file, an over-long one too (which validation
    then refuses, dashboard/timestamps.py): it is not parsed, nor put in a fixed-width array."""
    arrays = TextArrays()
    monkeypatch.setattr(timestamps, "np", arrays)
    long = "02/13/2026 09:00" + "0" * 1_000_000
    reading = _decide({"created_at": ["13/02/2026 09:00", long, "2026-03-02T09:00:00Z"]})
    assert reading.order == "DMY"
    assert arrays.widths  # the ISO values were looked at in numpy, at their own width
    assert max(arrays.widths) <= 64
