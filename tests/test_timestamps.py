"""ISO 8601 parsing: offsets are absolute, naive times are local, DST gaps and overlaps named."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.timestamps import (
    ISO8601,
    format_instants,
    parse_instant,
    parse_instants,
    utc_years,
)
from tests.helpers import LONDON, NEW_YORK, utc


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
