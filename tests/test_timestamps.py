"""ISO 8601 parsing: offsets are absolute, naive times are local, DST gaps and overlaps named."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard import timestamps
from dashboard.text import LONGEST_VALUE
from dashboard.timestamps import (
    ISO8601,
    format_instants,
    parse_instant,
    parse_instants,
    utc_years,
)
from tests.helpers import LONDON, NEW_YORK, TextArrays, utc


def _parse(values, zone=LONDON):
    return parse_instants(pd.Series(values), zone=zone, column="created_at")


def test_offsets_and_z_are_absolute_naive_is_local():
    parsed = _parse(
        [
            "2026-06-01T08:00:00Z",
            "2026-06-01T09:00:00+01:00",
            "2026-06-01T04:00:00-0400",
            "2026-06-01 09:00",
            "2026-06-01T09:00:00",
            "2026-01-15 09:00",
        ]
    )
    assert parsed.valid.all()
    summer = utc("2026-06-01T08:00:00Z")
    assert parsed.seconds.tolist() == [summer] * 5 + [utc("2026-01-15T09:00:00Z")]


def test_naive_times_follow_the_zone_given():
    parsed = _parse(["2026-06-01 09:00"], zone=NEW_YORK)
    assert parsed.seconds[0] == utc("2026-06-01T13:00:00Z")


def test_a_time_the_clocks_skipped_is_refused_with_the_reason():
    parsed = _parse(["2026-03-29 01:30"])
    assert not parsed.valid[0]
    assert parsed.errors[0] == (
        "created_at '2026-03-29 01:30' does not exist in Europe/London (the clocks went "
        "forward past it); give it with an offset"
    )


def test_a_repeated_hour_is_read_as_its_first_occurrence_and_flagged():
    parsed = _parse(["2026-10-25 01:30", "2026-10-25 02:30"])
    assert parsed.valid.all()
    assert parsed.seconds[0] == utc("2026-10-25T00:30:00Z")  # 01:30 BST, the first
    assert parsed.ambiguous.tolist() == [True, False]


def test_fractions_of_a_second_are_floored_even_before_1970():
    parsed = _parse(["2026-06-01T08:00:00.999Z", "1969-12-31T23:59:59.5Z"])
    assert parsed.seconds.tolist() == [utc("2026-06-01T08:00:00Z"), -1]


def test_bad_values_get_reasons_and_blanks_are_just_absent():
    parsed = _parse(["", "  ", "31/06/2026 10:00", "2026-02-30T10:00:00Z", "yesterday"])
    assert parsed.present.tolist() == [False, False, True, True, True]
    assert parsed.valid.tolist() == [False] * 5
    assert parsed.errors[0] == ""
    assert parsed.errors[2] == (
        "created_at '31/06/2026 10:00' is not a valid date-time (expected ISO 8601 like "
        "2026-03-02T09:15:00Z)"
    )
    assert "'2026-02-30T10:00:00Z'" in parsed.errors[3]


@pytest.mark.parametrize(
    "value",
    ["2026-07-29", "2026-03", "2026", "now", "today", "2026-03-02T09Z", "2026-03-02T09+01",
     "+0", "09:15", "2026-03-02T09:15:00+0"],
)  # fmt: skip
def test_values_without_a_date_and_time_of_day_are_refused_not_guessed(value):
    # pandas reads "now" as the current time and "2026-03" as 1 March: never accept those.
    parsed = _parse([value, "2026-03-02 09:15"])
    assert parsed.valid.tolist() == [False, True]
    assert parsed.errors[0].startswith(f"created_at {value!r} is not a valid date-time")


def test_a_column_mixing_offsets_local_times_and_case():
    parsed = _parse(
        [
            "2026-03-27T17:00:00+00:00",  # GMT
            "2026-03-30T10:00:00+01:00",  # BST
            "2026-03-30 10:00",  # local
            "2026-03-30t09:00:00z",  # lower-case T and Z
            "2026-03-30T09:00:00.123456Z",
        ]
    )
    assert parsed.valid.all()
    assert (
        parsed.seconds.tolist() == [utc("2026-03-27T17:00:00Z")] + [utc("2026-03-30T09:00:00Z")] * 4
    )


def test_explicit_formats_are_tried_in_order():
    parsed = parse_instants(
        pd.Series(["02/03/2026 10:00", "2026-03-02T10:00:00Z", "02/Mar/26 10:00 AM", "junk"]),
        zone=LONDON,
        column="Created",
        formats=("%d/%m/%Y %H:%M", ISO8601, "%d/%b/%y %I:%M %p"),
    )
    assert parsed.valid.tolist() == [True, True, True, False]
    assert parsed.seconds[:3].tolist() == [utc("2026-03-02T10:00:00Z")] * 3
    assert parsed.errors[3] == (
        "Created 'junk' is not a valid date-time (expected 02/03/2026 14:15 or ISO 8601 like "
        "2026-03-02T09:15:00Z or 02/Mar/26 02:15 PM)"
    )


def test_parse_instant_and_formatting_round_trip():
    seconds = parse_instant("2026-03-02T09:15:00Z", zone=LONDON, what="--as-of")
    assert format_instants([seconds]).tolist() == ["2026-03-02T09:15:00Z"]
    assert format_instants([seconds], [False]).tolist() == [""]
    assert utc_years([seconds]).tolist() == [2026]


# -- over-long cells (issue 13: one 3,000-character date in 1M rows asked numpy for 11 GiB) ------


@pytest.mark.parametrize("length", [3_000, 1_000_000])
@pytest.mark.parametrize("formats", [(ISO8601,), ("%d/%m/%Y %H:%M", ISO8601)])
def test_an_overlong_cell_is_refused_before_it_sizes_an_array(monkeypatch, length, formats):
    arrays = TextArrays()
    monkeypatch.setattr(timestamps, "np", arrays)
    long = "2026-03-02T09:15:00Z" + "9" * (length - 20)
    parsed = parse_instants(
        pd.Series(["2026-03-02T09:15:00Z", long, "02/03/2026 09:15", "2026-03-02 09:15"]),
        zone=LONDON, column="created_at", formats=formats,
    )  # fmt: skip
    assert parsed.valid.tolist() == [True, False, "%d/%m/%Y %H:%M" in formats, True]
    assert parsed.present.tolist() == [True] * 4
    assert parsed.errors[1] == (
        f"created_at is {length:,} characters long (at most {LONGEST_VALUE}): "
        "'2026-03-02T09:15:00Z9999999999999999999999999999999999999...'"
    )
    assert arrays.widths  # the ISO shape check ran in numpy...
    assert max(arrays.widths) <= 64  # ...on an array its own width, not the long cell's


def test_cells_wider_than_the_array_but_within_the_limit_are_still_read(monkeypatch):
    arrays = TextArrays()
    monkeypatch.setattr(timestamps, "np", arrays)
    # pandas reads spaces before the Z: cells of 100 and 200 characters that are a time
    padded = ["2026-03-02T09:15:00" + " " * (width - 20) + "Z" for width in (100, LONGEST_VALUE)]
    parsed = _parse(["2026-03-02T09:15:00.5+00:00", *padded, padded[1][:-1] + " Z"])
    assert parsed.valid.tolist() == [True, True, True, False]
    assert parsed.seconds[:3].tolist() == [utc("2026-03-02T09:15:00Z")] * 3
    assert parsed.errors[3].startswith(f"created_at is {LONGEST_VALUE + 1} characters long")
    # (the first value has the strict shape dashboard/iso8601.py reads: no text array at all)
    assert max(arrays.widths, default=0) <= 64


def test_local_times_with_nanoseconds_are_read_not_a_traceback():
    """Found by tests/test_iso8601.py's property: a column of local times of which one had
    seven or more digits of a second was read in nanoseconds, and storing it among the
    microsecond wall times raised TypeError. Read as the same value in a mixed column is."""
    alone = _parse(
        ["2026-01-01T00:00:00.1234567", "1969-12-31T23:59:59.9999999"], zone=ZoneInfo("UTC")
    )
    mixed = _parse(
        ["2026-01-01T00:00:00.1234567", "1969-12-31T23:59:59.9999999", "2026-01-01T00:00:00Z"],
        zone=ZoneInfo("UTC"),
    )
    assert alone.valid.all()
    assert alone.seconds.tolist() == mixed.seconds[:2].tolist() == [utc("2026-01-01T00:00:00Z"), -1]


@pytest.mark.parametrize("dtype", ["str", object])
def test_a_column_has_a_local_time_when_any_value_has_no_offset(dtype):
    """Blanks are no times; Z (either case), +hh:mm or -hh after the date are offsets; a date
    alone, or a value that is no time at all, has none (any_local: whether the export's zone
    was used to read it)."""
    from dashboard.timestamps import any_local

    def local(*values):
        return any_local(pd.Series(list(values), dtype=dtype))

    assert not local()
    assert not local("", "")
    assert not local("2026-03-01T10:00Z", "2026-03-01T10:00z", "", "2026-03-01T10:00:00.5Z")
    assert not local("2026-03-01 10:00+01:00", "2026-03-01T10:00-05")
    assert local("2026-03-01T10:00Z", "2026-03-01T10:00")
    assert local("", "2026-03-01")  # the date's own hyphens are no offset
    assert local("x")
