"""Case tables for the business-time engine, grouped by situation.

London calendar (the vendor's policy): Mon-Fri 09:00-18:00 Europe/London, England and Wales
bank holidays with observed substitutes.

        March 2026                  April 2026                December 2026
   Mo Tu We Th Fr Sa Su       Mo Tu We Th Fr Sa Su       Mo Tu We Th Fr Sa Su
                      1              1  2 [3] 4  5           1  2  3  4  5  6
    2  3  4  5  6  7  8      [6] 7  8  9 10 11 12        7  8  9 10 11 12 13
    9 10 11 12 13 14 15      13 14 ...                  14 15 16 17 18 19 20
   16 17 18 19 20 21 22                                 21 22 23 24[25]26 27
   23 24 25 26 27 28 29*                               [28]29 30 31
   30 31
   * 29 Mar: clocks go forward 01:00 GMT -> 02:00 BST    3 Apr Good Friday, 6 Apr Easter Monday
   25 Oct 2026 (Sun): clocks go back 02:00 BST -> 01:00   25 Dec Christmas, 28 Dec Boxing Day
                                                          (observed: 26 Dec is a Saturday)
        December 2027
   Mo Tu We Th Fr Sa Su
          1  2  3  4  5
   ...
   20 21 22 23 24 25 26      25 Dec (Sat) and 26 Dec (Sun) are observed on
  [27][28]29 30 31           Mon 27 Dec and Tue 28 Dec
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from dashboard.business_hours import BusinessCalendar, first_instant_showing
from dashboard.errors import CalendarRangeError
from tests.helpers import NEW_YORK, at, hms, iso, london_spec, new_york_spec, utc

LONDON_CAL = BusinessCalendar.build(london_spec(), first_year=2025, last_year=2028)
NEW_YORK_CAL = BusinessCalendar.build(new_york_spec(), first_year=2025, last_year=2028)

BETWEEN_LONDON = [
    # same day
    ("2026-03-02 09:00", "2026-03-02 10:30", "1:30"),
    ("2026-03-02 09:00", "2026-03-02 09:00", "0:00"),
    ("2026-03-02 09:00", "2026-03-02 18:00", "9:00"),
    # one second either side of opening and closing
    ("2026-03-02 08:59:59", "2026-03-02 09:00:00", "0:00:00"),
    ("2026-03-02 08:59:59", "2026-03-02 09:00:01", "0:00:01"),
    ("2026-03-02 09:00:00", "2026-03-02 09:00:01", "0:00:01"),
    ("2026-03-02 17:59:59", "2026-03-02 18:00:00", "0:00:01"),
    ("2026-03-02 17:59:59", "2026-03-02 18:00:01", "0:00:01"),
    ("2026-03-02 09:00:00", "2026-03-02 17:59:59", "8:59:59"),
    ("2026-03-02 09:00:00", "2026-03-02 18:00:01", "9:00:00"),
    ("2026-03-02 18:00:00", "2026-03-03 09:00:00", "0:00"),
    ("2026-03-02 18:00:00", "2026-03-03 09:00:01", "0:00:01"),
    # out of business hours
    ("2026-03-02 20:00", "2026-03-03 10:00", "1:00"),
    ("2026-03-03 06:00", "2026-03-03 09:30", "0:30"),
    ("2026-03-03 00:00", "2026-03-03 08:59:59", "0:00"),
    # weekends
    ("2026-03-06 17:00", "2026-03-09 10:00", "2:00"),
    ("2026-03-07 12:00", "2026-03-09 09:45", "0:45"),
    ("2026-03-07 12:00", "2026-03-08 15:00", "0:00"),
    # bank holidays (Easter Monday is missing from GB's nationwide list: ENG has it)
    ("2026-04-02 17:00", "2026-04-07 10:00", "2:00"),
    ("2026-04-06 10:00", "2026-04-06 12:00", "0:00"),
    ("2026-08-28 12:00", "2026-09-01 12:00", "9:00"),
    # Christmas 2026: Boxing Day observed on Mon 28 Dec
    ("2026-12-24 17:00", "2026-12-29 09:30", "1:30"),
    ("2026-12-28 10:00", "2026-12-28 12:00", "0:00"),
    ("2026-12-31 17:00", "2027-01-04 09:15", "1:15"),
    # Christmas 2027: both substitutes, Mon 27 and Tue 28 Dec; Christmas Eve is a working day
    ("2027-12-24 16:00", "2027-12-29 10:00", "3:00"),
    ("2027-12-27 09:00", "2027-12-28 18:00", "0:00"),
    # DST, spring 2026: Friday in GMT, Monday in BST
    ("2026-03-27 17:00", "2026-03-30 10:00", "2:00"),
    ("2026-03-28 23:00", "2026-03-30 09:30", "0:30"),
    # DST, autumn 2026: Friday in BST, Monday in GMT
    ("2026-10-23 17:00", "2026-10-26 10:00", "2:00"),
    ("2026-10-24 12:00", "2026-10-26 09:00:01", "0:00:01"),
    # multi-year: 261 weekdays from Mon 1 Jun 2026 to Tue 1 Jun 2027, 8 of them bank holidays
    ("2026-06-01 09:00", "2027-06-01 09:00", "2277:00"),
]


@pytest.mark.parametrize(("created", "responded", "expected"), BETWEEN_LONDON)
def test_business_time_london(created, responded, expected):
    assert LONDON_CAL.between(at(created), at(responded)) == hms(expected)


def test_business_time_is_vectorised_and_keeps_order():
    created = np.array([at(c) for c, _, _ in BETWEEN_LONDON])
    responded = np.array([at(r) for _, r, _ in BETWEEN_LONDON])
    expected = np.array([hms(e) for _, _, e in BETWEEN_LONDON])
    np.testing.assert_array_equal(LONDON_CAL.between(created, responded), expected)


def test_negative_interval_keeps_its_sign():
    # A response before creation is a data problem; the engine reports it, never clamps it.
    assert LONDON_CAL.between(at("2026-03-02 12:00"), at("2026-03-02 10:00")) == -hms("2:00")


DEADLINES_LONDON = [
    # (created, target hours, deadline)
    ("2026-03-02 10:00", 4, "2026-03-02 14:00"),
    # the deadline can be a closing time exactly, not the next opening
    ("2026-03-02 14:00", 4, "2026-03-02 18:00"),
    ("2026-03-02 14:00:01", 4, "2026-03-03 09:00:01"),
    # created after hours: the clock starts at the next opening
    ("2026-03-02 20:00", 4, "2026-03-03 13:00"),
    ("2026-03-03 07:30", 4, "2026-03-03 13:00"),
    ("2026-03-07 11:00", 4, "2026-03-09 13:00"),
    # holidays
    ("2026-12-24 15:00", 4, "2026-12-29 10:00"),
    ("2026-12-24 15:00", 24, "2026-12-31 12:00"),
    ("2027-12-24 14:00", 8, "2027-12-29 13:00"),
    ("2026-04-02 16:00", 12, "2026-04-08 10:00"),
    # across both DST changes
    ("2026-03-27 16:00", 8, "2026-03-30 15:00"),
    ("2026-10-23 12:00", 12, "2026-10-26 15:00"),
]


@pytest.mark.parametrize(("created", "hours", "expected"), DEADLINES_LONDON)
def test_deadline_london(created, hours, expected):
    deadline = LONDON_CAL.deadline(at(created), hours * 3600)
    assert iso(deadline) == iso(at(expected))
    # The deadline is the earliest instant the target is reached.
    assert LONDON_CAL.between(at(created), deadline) == hours * 3600
    assert LONDON_CAL.between(at(created), deadline - 1) == hours * 3600 - 1


def test_spring_forward_friday_to_monday_is_counted_in_real_hours():
    # 17:00 GMT Fri = 17:00 UTC; 10:00 BST Mon = 09:00 UTC. A naive UTC clock-time engine
    # would start Monday at 09:00 UTC (10:00 BST) and count 1 h; the right answer is 2 h.
    assert utc("2026-03-30T09:00:00Z") == at("2026-03-30 10:00")
    assert LONDON_CAL.between(utc("2026-03-27T17:00:00Z"), utc("2026-03-30T09:00:00Z")) == 7200


BETWEEN_NEW_YORK = [
    # 08:00-17:00, US-NY holidays, company closure on Fri 27 Nov 2026
    ("2026-11-25 16:00", "2026-11-30 09:00", "2:00"),  # Thanksgiving + closure + weekend
    ("2026-11-27 10:00", "2026-11-27 12:00", "0:00"),  # the closure itself
    ("2026-02-11 16:00", "2026-02-13 09:00", "2:00"),  # Lincoln's Birthday (NY only)
    ("2026-11-02 16:00", "2026-11-04 09:00", "2:00"),  # Election Day (NY only)
    ("2026-03-06 16:00", "2026-03-09 09:00", "2:00"),  # DST starts Sun 8 Mar
    ("2026-10-30 16:00", "2026-11-02 08:30", "1:30"),  # DST ends Sun 1 Nov
    ("2026-07-02 16:00", "2026-07-06 08:00", "1:00"),  # Independence Day observed Fri 3 Jul
    ("2027-12-30 16:00", "2028-01-03 08:00", "1:00"),  # New Year 2028 observed Fri 31 Dec 2027
    ("2027-12-30 07:59:59", "2027-12-30 08:00:01", "0:00:01"),
    ("2026-03-02 07:00", "2026-03-02 17:00:01", "9:00"),
]


@pytest.mark.parametrize(("created", "responded", "expected"), BETWEEN_NEW_YORK)
def test_business_time_new_york(created, responded, expected):
    got = NEW_YORK_CAL.between(at(created, NEW_YORK), at(responded, NEW_YORK))
    assert got == hms(expected)


def test_observed_holiday_in_the_previous_year_is_closed():
    # New Year 2022 fell on a Saturday and was observed on Fri 31 Dec 2021 (previous year).
    calendar = BusinessCalendar.build(new_york_spec(), first_year=2021, last_year=2021)
    assert calendar.between(at("2021-12-31 08:00", NEW_YORK), at("2021-12-31 17:00", NEW_YORK)) == 0
    assert "2021-12-31" in {d.isoformat() for d in calendar.closed_days}


def test_deadline_new_york():
    deadline = NEW_YORK_CAL.deadline(at("2026-11-25 14:00", NEW_YORK), 4 * 3600)
    assert deadline == at("2026-11-30 09:00", NEW_YORK)


def test_closures_and_holidays_are_named():
    assert LONDON_CAL.closed_days[dt.date(2026, 12, 28)] == "Boxing Day (observed)"
    assert NEW_YORK_CAL.closed_days[dt.date(2026, 11, 27)] == "Day after Thanksgiving"


# -- DST inside business hours (not London's 09:00-18:00, but any zone or 24-hour desk) --------

ROUND_THE_CLOCK = dataclasses.replace(
    london_spec(), workdays=tuple(range(7)), open_seconds=0, close_seconds=86400, holidays=None
)


def test_a_24_hour_desk_counts_the_real_length_of_dst_days():
    calendar = BusinessCalendar.build(ROUND_THE_CLOCK, first_year=2026, last_year=2026)
    spring = calendar.between(at("2026-03-29 00:00"), at("2026-03-30 00:00"))
    autumn = calendar.between(at("2026-10-25 00:00"), at("2026-10-26 00:00"))
    assert (spring, autumn) == (23 * 3600, 25 * 3600)
    # Sat noon GMT to Mon noon BST really is 47 hours.
    assert calendar.between(at("2026-03-28 12:00"), at("2026-03-30 12:00")) == 47 * 3600
    assert calendar.deadline(at("2026-03-28 12:00"), 47 * 3600) == at("2026-03-30 12:00")


def test_a_boundary_in_the_spring_gap_opens_when_the_clocks_jump():
    # 01:30 does not exist on 29 Mar 2026 in London: the window opens at the jump (01:00 UTC).
    spec = dataclasses.replace(ROUND_THE_CLOCK, open_seconds=hms("1:30"), close_seconds=hms("3:00"))
    calendar = BusinessCalendar.build(spec, first_year=2026, last_year=2026)
    day_start, day_end = at("2026-03-29 00:00"), at("2026-03-30 00:00")
    assert calendar.between(day_start, day_end) == 3600
    assert calendar.deadline(day_start, 1) == utc("2026-03-29T01:00:01Z")


def test_a_boundary_in_the_autumn_overlap_opens_at_its_first_occurrence():
    # 01:30 happens twice on 25 Oct 2026 (00:30 UTC in BST, 01:30 UTC in GMT): the first counts.
    spec = dataclasses.replace(ROUND_THE_CLOCK, open_seconds=hms("1:30"), close_seconds=hms("3:00"))
    calendar = BusinessCalendar.build(spec, first_year=2026, last_year=2026)
    assert calendar.deadline(at("2026-10-25 00:00"), 1) == utc("2026-10-25T00:30:01Z")
    assert calendar.between(at("2026-10-25 00:00"), at("2026-10-26 00:00")) == hms("2:30")


def test_first_instant_showing_a_gap_time_is_the_jump():
    wall = dt.datetime(2026, 3, 8, 2, 30)  # New York skips 02:00-03:00 on 8 Mar 2026
    assert first_instant_showing(wall, NEW_YORK) == utc("2026-03-08T07:00:00Z")


# -- range ----------------------------------------------------------------------------------


def test_instants_outside_the_calendar_years_fail_loudly():
    calendar = BusinessCalendar.build(london_spec(), first_year=2026, last_year=2026)
    with pytest.raises(CalendarRangeError, match=r"2030-01-01T00:00:00Z is outside .* 2026-2026"):
        calendar.clock(utc("2030-01-01T00:00:00Z"))
    with pytest.raises(CalendarRangeError, match="deadline falls outside"):
        calendar.deadline(at("2026-12-31 17:00"), 4 * 3600)


def test_covering_adds_a_year_either_side_and_refuses_years_without_holidays():
    calendar = BusinessCalendar.covering(london_spec(), utc("2026-05-01T00:00:00Z"))
    assert (calendar.first_year, calendar.last_year) == (2025, 2027)
    with pytest.raises(CalendarRangeError, match=r"GB-ENG holiday list covers only 1872-2100"):
        BusinessCalendar.covering(
            london_spec(), utc("2026-05-01T00:00:00Z"), utc("2150-01-01T00:00:00Z")
        )


def test_working_dates_skip_weekends_holidays_and_closures():
    calendar = BusinessCalendar.build(new_york_spec(), first_year=2026, last_year=2026)
    late_november = calendar.working_dates()[
        (calendar.working_dates() >= np.datetime64("2026-11-23"))
        & (calendar.working_dates() <= np.datetime64("2026-11-30"))
    ]
    # Thanksgiving (26th) and the closure the day after are not working days
    assert late_november.astype(str).tolist() == [
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
        "2026-11-30",
    ]
