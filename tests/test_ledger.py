"""The business-time ledger behind `sla-dashboard explain`: it names every skipped stretch and
its counted stretches add up to the engine's business time exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.business_hours import BusinessCalendar
from dashboard.ledger import counted_seconds, describe, ledger
from tests.helpers import LONDON, at, london_spec, utc

CALENDAR = BusinessCalendar.build(london_spec(), first_year=2025, last_year=2027)


def test_a_friday_evening_case_answered_on_monday():
    stretches = ledger(CALENDAR, at("2026-03-06 17:00"), at("2026-03-09 10:00"))
    assert [describe(s, LONDON) for s in stretches] == [
        "counted   Fri 06 Mar 2026 17:00 - 18:00                            1h 00m",
        "skipped   Fri 06 Mar 2026 18:00 - Mon 09 Mar 2026 09:00           63h 00m  (night, weekend)",  # noqa: E501
        "counted   Mon 09 Mar 2026 09:00 - 10:00                            1h 00m",
    ]
    assert counted_seconds(stretches) == 7200


def test_holidays_and_closures_are_named():
    stretches = ledger(CALENDAR, at("2026-12-24 17:00"), at("2026-12-29 09:30"))
    skipped = [s for s in stretches if s.kind == "skipped"]
    assert len(skipped) == 1  # Thursday night to Tuesday morning is one stretch
    assert skipped[0].reasons == [
        "night", "Christmas Day", "weekend, Boxing Day", "weekend", "Boxing Day (observed)",
    ]  # fmt: skip
    assert counted_seconds(stretches) == 5400


def test_across_the_spring_clock_change_times_are_local():
    stretches = ledger(CALENDAR, utc("2026-03-27T17:00:00Z"), utc("2026-03-30T09:00:00Z"))
    lines = [describe(s, LONDON) for s in stretches]
    assert lines[-1].startswith("counted   Mon 30 Mar 2026 09:00 - 10:00")  # 10:00 BST
    assert counted_seconds(stretches) == 7200


def test_nothing_to_explain_for_an_empty_interval():
    assert ledger(CALENDAR, at("2026-03-02 10:00"), at("2026-03-02 10:00")) == []


@settings(max_examples=200, deadline=None)
@given(st.integers(utc("2025-06-01T00:00:00Z"), utc("2027-06-01T00:00:00Z")),
       st.integers(0, 40 * 86400))  # fmt: skip
def test_counted_stretches_add_up_to_business_time(start, length):
    stretches = ledger(CALENDAR, start, start + length)
    assert counted_seconds(stretches) == CALENDAR.between(start, start + length)
    assert sum(s.seconds for s in stretches) == length  # every second accounted for


def test_times_with_seconds_show_them_so_the_stretches_add_up():
    stretches = ledger(CALENDAR, at("2025-06-12 12:21:12"), at("2025-06-13 12:50:49"))
    lines = [describe(s, LONDON) for s in stretches]
    assert lines[0] == "counted   Thu 12 Jun 2025 12:21:12 - 18:00                     5h 38m 48s"
    assert lines[-1] == "counted   Fri 13 Jun 2025 09:00 - 12:50:49                     3h 50m 49s"
    assert {len(line.split("  (")[0]) for line in lines} == {len(lines[0])}  # one column
