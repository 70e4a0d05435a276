"""The numpy reader of strict ISO 8601 (issue 16) agrees with the exact reader it stands in
front of, and leaves everything else to it: same instants, same flags, same reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import timestamps
from dashboard.iso8601 import format_utc, read_strict
from dashboard.timestamps import ISO8601, format_instants, parse_instants, read_with_format
from tests.helpers import LONDON, NEW_YORK, utc

# What exports write: each is recognised, and read as the exact reader reads it.
STRICT = [
    "2026-03-02T09:15:00Z",
    "2026-03-02 09:15:00Z",
    "2026-06-01T09:00:00+01:00",
    "2026-06-01T04:00:00-05:00",
    "2026-06-01T14:30:00+05:30",
    "2026-06-01T09:00:00-00:00",
    "2026-06-01T09:00:00+23:59",
    "2026-06-01T09:00:00-23:59",
    "2026-03-02T09:15:00.5Z",
    "2026-03-02T09:15:00.123+01:00",
    "2026-03-02T09:15:00.999999-05:00",
    "2026-03-02T09:15:00",  # local wall times
    "2026-03-02 09:15:00.25",
    "2024-02-29T23:59:59",  # a leap day
    "2000-02-29T00:00:00Z",  # divisible by 400: a leap year
    "1969-12-31T23:59:59.5Z",  # before 1970: the fraction still floors
    "1678-01-01T00:00:00Z",
    "2261-12-31T23:59:59Z",
    "2026-03-29T01:30:00",  # London: the clocks skipped it
    "2026-10-25T01:30:00.5",  # London: it happened twice
]
# Everything else goes to the exact reader, which reads or refuses each as it always has.
NOT_STRICT = [
    "2026-03-02T09:15",  # no seconds (the exact reader reads it)
    "2026-03-02T09:15Z",
    "2026-03-02t09:15:00",
    "2026-03-02T09:15:00z",
    "2026-03-02T09:15:00.1234567",  # nanoseconds
    "2026-03-02T09:15:00.Z",
    "2026-03-02T09:15:00,5Z",
    "2026-03-02T09:15:00+0100",
    "2026-03-02T09:15:00+01",
    "2026-03-02T09:15:00+24:00",
    "2026-03-02T09:15:00+01:60",
    "2026-03-02T09:15:00 Z",
    "2026-03-02T09:15:00Zx",
    "2026-02-29T09:15:00",  # no such day
    "2026-04-31T09:15:00",
    "1900-02-29T00:00:00",
    "2026-13-02T09:15:00",
    "2026-00-02T09:15:00",
    "2026-03-00T09:15:00",
    "2026-03-02T24:00:00",
    "2026-03-02T09:60:00",
    "2026-03-02T09:15:60",
    "1677-12-31T23:59:59Z",  # outside pandas' nanoseconds: the exact reader's own rules
    "2262-01-01T00:00:00Z",
    "0000-01-01T00:00:00",
    "٢٠٢٦-03-02T09:15:00",  # digits, but not ASCII ones
    "2026-03-02T09:15:00\x00",
    "2026/03/02 09:15:00",
    "02/03/2026 09:15",
    "now",
    "",
    "2026-03-02T09:15:00.123456+01:00:00",
    "2026-03-02T09:15:00.123456+01:00" + "0" * 200,
]


def _exact(values: list[str], zone=LONDON):
    """parse_instants with the numpy reader left out: the exact reader alone."""
    real = timestamps._read_strict
    timestamps._read_strict = lambda *args, **kwargs: None
    try:
        return parse_instants(pd.Series(values, dtype=object), zone=zone, column="created_at")
    finally:
        timestamps._read_strict = real


def _both(values: list[str], zone=LONDON):
    fast = parse_instants(pd.Series(values, dtype=object), zone=zone, column="created_at")
    return fast, _exact(values, zone)


def _same(fast, exact) -> None:
    for field in ("seconds", "present", "valid", "ambiguous", "errors"):
        assert getattr(fast, field).tolist() == getattr(exact, field).tolist(), field


def test_the_shapes_exports_write_are_recognised():
    strict = read_strict(STRICT)
    assert strict.recognised.all()
    with_offset = [v.endswith("Z") or "+" in v[19:] or "-" in v[19:] for v in STRICT]
    assert strict.absolute.tolist() == with_offset


@pytest.mark.parametrize("value", STRICT)
def test_a_recognised_value_is_read_as_the_exact_reader_reads_it(value):
    strict = read_strict([value])
    absolute, local = read_with_format(pd.Series([value]), ISO8601)
    if strict.absolute[0]:
        micros = absolute.dt.as_unit("us").astype("int64").iloc[0]
        assert strict.seconds[0] == micros // 1_000_000
        assert pd.isna(local.iloc[0])
    else:
        assert strict.wall_micros[0] == local.dt.as_unit("us").astype("int64").iloc[0]
        assert pd.isna(absolute.iloc[0])


@pytest.mark.parametrize("value", NOT_STRICT)
def test_anything_else_is_left_to_the_exact_reader(value):
    assert not read_strict([value]).recognised[0]


def test_a_column_mixing_everything_parses_as_before_with_the_same_reasons():
    values = STRICT + NOT_STRICT + ["2026-03-02T09:15:00.5Z"] * 3
    fast, exact = _both(values)
    _same(fast, exact)
    assert fast.valid[: len(STRICT)].sum() == len(STRICT) - 1  # the skipped 01:30 is refused
    assert fast.errors[len(STRICT) + 13] == (
        "created_at '2026-02-29T09:15:00' is not a valid date-time "
        "(expected ISO 8601 like 2026-03-02T09:15:00Z)"
    )
    assert fast.seconds[0] == utc("2026-03-02T09:15:00Z")


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK])
def test_local_times_around_the_clock_changes_are_read_as_before(zone):
    # Every half hour (with and without a fraction) around both changes of 2026 in each zone.
    days = ["2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01"]
    values = [
        f"{day}T{hour:02d}:{minute:02d}:{second:02d}{fraction}"
        for day in days
        for hour in range(4)
        for minute in (0, 30, 59)
        for second in (0, 59)
        for fraction in ("", ".5", ".999999")
    ]
    fast, exact = _both(values, zone)
    _same(fast, exact)
    assert fast.ambiguous.any()
    assert (fast.errors != "").any()


def test_values_are_read_in_chunks_as_one_column(monkeypatch):
    monkeypatch.setattr("dashboard.iso8601._CHUNK", 7)
    values = (STRICT + NOT_STRICT) * 3
    fast, exact = _both(values)
    _same(fast, exact)


# Values near the strict shape: each part mostly right, else wrong in a way exports are.


def _part(good: list[str], bad: list[str]):
    return st.one_of(st.sampled_from(good), st.sampled_from(good), st.sampled_from(good + bad))


_parts = st.tuples(
    _part(["1678", "1969", "1970", "2000", "2024", "2026", "2100", "2261"],
          ["1677", "2262", "9999", "0000", "202"]),
    _part(["01", "02", "03", "04", "10", "11", "12"], ["00", "13", "1"]),
    _part(["01", "08", "25", "28", "29", "30", "31"], ["32", "00"]),
    _part(["T", " "], ["t", "_", ""]),
    _part(["00", "01", "02", "09", "23"], ["24", "7"]),
    _part([":00", ":30", ":59"], [":60", "30"]),
    _part([":00", ":59"], [":60", "", ":5"]),
    _part(["", ".5", ".123", ".123456"], [".", ".1234567", ".123456789", ",5"]),
    _part(["", "Z", "+01:00", "-05:00", "+05:45", "-00:00", "+23:59", "-23:59"],
          ["z", "+24:00", "+0100", "+01", "+01:0", "+01:60", " Z", "Z ", "+01:00Z"]),
)  # fmt: skip
near_iso = st.builds(lambda p: f"{p[0]}-{p[1]}-{p[2]}{''.join(p[3:])}", _parts)
anything = st.text(max_size=40)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(near_iso, near_iso, anything), max_size=30))
def test_property_the_numpy_reader_changes_nothing(values):
    for zone in (LONDON, NEW_YORK):
        fast, exact = _both(values, zone)
        _same(fast, exact)


def test_read_strict_of_nothing():
    strict = read_strict([])
    assert strict.recognised.shape == (0,)
    assert strict.seconds.dtype == np.int64


# -- writing: format_utc is numpy's datetime_as_string text, faster --------------------------

FIRST, LAST = -62167219200, 253402300799  # 0000-01-01T00:00:00Z, 9999-12-31T23:59:59Z


def _numpy_text(seconds) -> list[str]:
    stamps = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
    return [f"{text}Z" for text in np.datetime_as_string(stamps, unit="s")]


def test_format_utc_writes_what_numpy_writes_in_every_year_it_can():
    rng = np.random.default_rng(16)
    edges = [FIRST, LAST, -1, 0, 1, 951782400, 951868799, 68169600, -2208988800, 4107542400]
    seconds = np.concatenate([edges, rng.integers(FIRST, LAST, 200_000)])
    assert format_utc(seconds).tolist() == _numpy_text(seconds)


def test_outside_the_years_0000_9999_format_instants_asks_numpy():
    assert format_utc([FIRST - 1]) is None
    assert format_utc([LAST + 1]) is None
    assert format_instants([FIRST - 1, LAST + 1]).tolist() == _numpy_text([FIRST - 1, LAST + 1])
    assert format_instants([0, 1], np.array([True, False])).tolist() == ["1970-01-01T00:00:00Z", ""]
