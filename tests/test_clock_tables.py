"""The bucket tables answer exactly what the binary searches they stand in for answer.

Two kinds of check: Hypothesis over arbitrary windows and bucket widths (buckets holding several
edges, windows shorter than a bucket, adjacent windows), and real calendars whose edges sit off
the hour (Kolkata +05:30 opening 08:30, Kathmandu +05:45, Chatham +12:45), whose windows hold a
DST change (Lord Howe's 30 minutes, London at night, a 24-hour desk) or whose opening is at
08:07:13, so that every instant near an edge and every clock value near a window's end is
compared with `exact_clock` / `exact_instants`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.business_hours import BusinessCalendar
from dashboard.clock_tables import ClockTable, InstantTable, exact_clock, exact_instants
from dashboard.policy import CalendarSpec, HolidaySource
from tests.helpers import hms, london_spec

# -- arbitrary windows ---------------------------------------------------------------------


@st.composite
def windows(draw):
    """Sorted, disjoint (possibly adjacent) windows from lo, and the [lo, hi] they cover."""
    lo = draw(st.integers(-(10**6), 10**6))
    gaps = draw(st.lists(st.integers(0, 5_000), min_size=1, max_size=25))
    lengths = draw(st.lists(st.integers(1, 5_000), min_size=len(gaps), max_size=len(gaps)))
    opens, at = [], lo
    for gap, length in zip(gaps, lengths, strict=True):
        opens.append(at + gap)
        at += gap + length
    hi = at + draw(st.integers(0, 5_000))
    lengths_array = np.array(lengths, dtype=np.int64)
    cum_before = np.concatenate(([0], np.cumsum(lengths_array)[:-1])).astype(np.int64)
    return np.array(opens, dtype=np.int64), lengths_array, cum_before, lo, hi


WIDTHS = st.one_of(st.none(), st.integers(1, 4_000))


@settings(max_examples=300, deadline=None)
@given(windows(), WIDTHS, st.lists(st.integers(0, 10**9), max_size=40))
def test_the_clock_table_is_exactly_the_binary_search(case, width, picks):
    opens, lengths, cum_before, lo, hi = case
    edges = np.concatenate([opens, opens + lengths])
    near = np.concatenate([edges - 1, edges, edges + 1, [lo, hi]])
    t = np.concatenate([near, lo + np.array(picks, dtype=np.int64) % (hi - lo + 1)])
    t = t[(t >= lo) & (t <= hi)]
    table = ClockTable(opens, lengths, cum_before, lo, hi, width)
    expected = exact_clock(opens, lengths, cum_before, t)
    assert table.clock(t).tolist() == expected.tolist()


@settings(max_examples=300, deadline=None)
@given(windows(), WIDTHS, st.lists(st.integers(0, 10**9), max_size=40), st.sampled_from([0, 1]))
def test_the_instant_table_is_exactly_the_binary_search(case, width, picks, plus):
    opens, lengths, cum_before, _lo, _hi = case
    cum_end = cum_before + lengths
    total = int(cum_end[-1])
    near = np.concatenate([cum_end - 1, cum_end, cum_end + 1, [1, total]])
    values = np.concatenate([near, 1 + np.array(picks, dtype=np.int64) % total]) - plus
    values = values[(values + plus >= 1) & (values + plus <= total)]
    table = InstantTable(opens, lengths, cum_before, width)
    got = table.instants(values, (values + plus - 1) // table.width, plus=plus)
    assert got.tolist() == exact_instants(opens, lengths, cum_before, values + plus).tolist()


# -- real calendars ------------------------------------------------------------------------


def _spec(zone: str, opens: str, closes: str, days=(0, 1, 2, 3, 4), holidays=None):
    return CalendarSpec(
        timezone=zone,
        workdays=days,
        open_seconds=hms(opens),
        close_seconds=hms(closes),
        holidays=holidays,
    )


EVERY_DAY = tuple(range(7))
# name: (spec, whether a bucket must fall back to the binary search)
CALENDARS = {
    "london": (london_spec(), False),
    "kolkata_0830": (_spec("Asia/Kolkata", "8:30", "17:30", holidays=HolidaySource("IN")), False),
    "kathmandu": (_spec("Asia/Kathmandu", "9:00", "18:00", days=(6, 0, 1, 2, 3, 4)), False),
    "chatham": (_spec("Pacific/Chatham", "8:15", "16:45"), False),
    # Lord Howe moves its clocks by 30 minutes at 02:00, inside these windows
    "lord_howe_night": (_spec("Australia/Lord_Howe", "1:00", "3:00", days=EVERY_DAY), False),
    "lord_howe_24h": (_spec("Australia/Lord_Howe", "0:00", "24:00", days=EVERY_DAY), False),
    # London's changes at 01:00 (spring) and 02:00 (autumn) fall inside 00:30-05:00
    "london_night": (dataclasses.replace(london_spec(), open_seconds=hms("0:30"),
                                         close_seconds=hms("5:00"), workdays=EVERY_DAY), False),
    # New York opens in the spring gap (02:30 does not exist): at the jump, 03:00
    "new_york_gap": (_spec("America/New_York", "2:30", "10:00", days=EVERY_DAY), False),
    # off any quarter hour: the buckets holding an opening or a running total's end fall back
    "odd_minutes": (dataclasses.replace(london_spec(), open_seconds=hms("8:07:13"),
                                        close_seconds=hms("17:29:59")), True),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(CALENDARS))
def calendar_case(request):
    spec, falls_back = CALENDARS[request.param]
    return BusinessCalendar.build(spec, first_year=2024, last_year=2027), falls_back


def test_quarter_hour_calendars_never_need_the_binary_search(calendar_case):
    calendar, falls_back = calendar_case
    assert calendar._clock_table.any_exact is falls_back
    assert calendar._instant_table.any_exact is falls_back


def test_the_clock_of_a_real_calendar_is_exact_near_every_edge(calendar_case):
    calendar, _ = calendar_case
    windows = (calendar.opens, calendar.lengths, calendar.cum_before)
    edges = np.concatenate([calendar.opens, calendar.opens + calendar.lengths])
    rng = np.random.default_rng(16)
    t = np.concatenate(
        [edges + step for step in (-3600, -901, -900, -1, 0, 1, 899, 900)]
        + [rng.integers(calendar.range_start, calendar.range_end + 1, 200_000)]
        + [[calendar.range_start, calendar.range_end]]
    )
    t = t[(t >= calendar.range_start) & (t <= calendar.range_end)]
    assert np.array_equal(calendar.clock(t), exact_clock(*windows, t))
    assert int(calendar.clock(int(t[7]))) == int(exact_clock(*windows, t[7:8])[0])


def test_the_instants_of_a_real_calendar_are_exact_near_every_window_end(calendar_case):
    calendar, _ = calendar_case
    windows = (calendar.opens, calendar.lengths, calendar.cum_before)
    cum_end = calendar.cum_before + calendar.lengths
    total = calendar.total_seconds
    rng = np.random.default_rng(16)
    values = np.concatenate(
        [cum_end + step for step in (-1800, -1, 0, 1, 2, 900)]
        + [rng.integers(1, total + 1, 200_000), [1, total - 1]]
    )
    values = values[(values >= 1) & (values < total)]
    first, after = calendar.instant_at_and_after(values)
    assert np.array_equal(calendar.instant_at(values), exact_instants(*windows, values))
    assert np.array_equal(first, exact_instants(*windows, values))
    assert np.array_equal(after, exact_instants(*windows, values + 1))
    # the second is one second on, or the next opening's first second after a closing time
    at_close = np.isin(values, cum_end)
    assert np.array_equal(after[~at_close], first[~at_close] + 1)
    assert np.isin(after[at_close] - 1, calendar.opens).all()
