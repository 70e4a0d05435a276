"""Properties of the engine, held against the slow day-walking reference in tests/reference.py.

Instants are drawn uniformly and, more often, within a second of an opening or a closing, where
off-by-one mistakes live. Five calendars: the vendor's London one, New York with a closure,
Sydney (southern-hemisphere DST), a Sunday-Thursday week in Jerusalem, and a 24-hour desk whose
days contain the DST changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.business_hours import BusinessCalendar
from dashboard.policy import CalendarSpec, HolidaySource
from tests import reference
from tests.helpers import hms, london_spec, new_york_spec, utc

pytestmark = pytest.mark.slow  # Hypothesis against the day-walking reference

SPECS = {
    "london": london_spec(),
    "new_york": new_york_spec(),
    "sydney": CalendarSpec(
        timezone="Australia/Sydney",
        workdays=(0, 1, 2, 3, 4),
        open_seconds=hms("8:30"),
        close_seconds=hms("17:30"),
        holidays=HolidaySource("AU", "NSW"),
    ),
    "jerusalem": CalendarSpec(
        timezone="Asia/Jerusalem",
        workdays=(6, 0, 1, 2, 3),  # Sunday to Thursday
        open_seconds=hms("9:00"),
        close_seconds=hms("18:00"),
        holidays=HolidaySource("IL"),
    ),
    "round_the_clock": dataclasses.replace(
        london_spec(), workdays=tuple(range(7)), open_seconds=0, close_seconds=86400
    ),
}
CALENDARS = {
    name: BusinessCalendar.build(spec, first_year=2024, last_year=2029)
    for name, spec in SPECS.items()
}
FIRST_DAY = dt.date(2025, 1, 1)
LO, HI = utc("2025-01-01T00:00:00Z"), utc("2028-12-31T00:00:00Z")


@st.composite
def instants(draw, spec: CalendarSpec) -> int:
    if draw(st.booleans()):
        return draw(st.integers(LO, HI))
    day = FIRST_DAY + dt.timedelta(days=draw(st.integers(0, 1400)))
    opens, closes = reference.window(spec, day)
    edge = draw(st.sampled_from([opens, closes]))
    return edge + draw(st.sampled_from([-3600, -1, 0, 0, 1, 3600]))


@st.composite
def calendar_and_interval(draw, *, max_days: int = 40):
    name = draw(st.sampled_from(sorted(SPECS)))
    spec = SPECS[name]
    start = draw(instants(spec))
    if draw(st.integers(0, 9)) == 0:  # now and then a long, multi-year span
        end = draw(st.integers(LO, HI))
    elif draw(st.booleans()):
        end = draw(instants(spec))
        end = start + (end - start) % (max_days * 86400) * (1 if end >= start else -1)
    else:
        end = start + draw(st.integers(-86400 * 3, max_days * 86400))
    return name, start, end


@settings(max_examples=400, deadline=None)
@given(calendar_and_interval())
def test_business_time_matches_the_day_walk(case):
    name, start, end = case
    got = int(CALENDARS[name].between(start, end))
    assert got == reference.business_seconds(SPECS[name], start, end)


TARGETS = st.one_of(
    st.sampled_from([hms("4:00"), hms("8:00"), hms("12:00"), hms("24:00")]),
    st.integers(1, 150 * 3600),
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(sorted(SPECS)).flatmap(lambda n: st.tuples(st.just(n), instants(SPECS[n]))),
    TARGETS,
)
def test_deadline_matches_the_day_walk_and_is_the_earliest(case, target):
    name, start = case
    calendar = CALENDARS[name]
    deadline = int(calendar.deadline(start, target))
    assert deadline == reference.deadline(SPECS[name], start, target)
    assert calendar.between(start, deadline) == target
    assert calendar.between(start, deadline - 1) == target - 1


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SPECS)), st.lists(st.integers(LO, HI), min_size=3, max_size=3))
def test_business_time_adds_up_and_flips_sign(name, points):
    a, b, c = points
    calendar = CALENDARS[name]
    assert calendar.between(a, b) + calendar.between(b, c) == calendar.between(a, c)
    assert calendar.between(a, b) == -calendar.between(b, a)
    assert (calendar.between(a, b) >= 0) == (b >= a) or calendar.between(a, b) == 0


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(sorted(SPECS)), st.lists(st.integers(LO, HI), min_size=2, max_size=60))
def test_vectorised_equals_one_at_a_time(name, points):
    calendar = CALENDARS[name]
    starts = np.array(points[::-1], dtype=np.int64)
    ends = np.array(points, dtype=np.int64)
    together = calendar.between(starts, ends)
    one_by_one = [int(calendar.between(s, e)) for s, e in zip(starts, ends, strict=True)]
    assert together.tolist() == one_by_one
