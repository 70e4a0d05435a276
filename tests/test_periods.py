"""The sidebar's period presets and the period each is compared with."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.periods import PRESETS, Period, previous, previous_for, resolve

TODAY = dt.date(2026, 5, 14)  # a Thursday in the second quarter
D = dt.date


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("last_30_days", D(2026, 4, 15), D(2026, 5, 14)),
        ("this_month", D(2026, 5, 1), D(2026, 5, 14)),
        ("last_month", D(2026, 4, 1), D(2026, 4, 30)),
        ("this_quarter", D(2026, 4, 1), D(2026, 5, 14)),
        ("last_quarter", D(2026, 1, 1), D(2026, 3, 31)),
        ("last_12_months", D(2025, 5, 1), D(2026, 4, 30)),  # full months
        ("year_to_date", D(2026, 1, 1), D(2026, 5, 14)),
    ],
)
def test_presets_as_of_a_day(preset, first, last):
    assert resolve(preset, today=TODAY) == Period(first, last)


def test_presets_across_the_turn_of_the_year():
    january = D(2027, 1, 10)
    assert resolve("last_month", today=january) == Period(D(2026, 12, 1), D(2026, 12, 31))
    assert resolve("last_quarter", today=january) == Period(D(2026, 10, 1), D(2026, 12, 31))
    assert resolve("last_12_months", today=january) == Period(D(2026, 1, 1), D(2026, 12, 31))


def test_the_last_12_months_are_compared_with_the_12_before():
    """Full months against full months: a part-month against a whole one misleads."""
    twelve = resolve("last_12_months", today=TODAY)
    assert previous(twelve) == Period(D(2024, 5, 1), D(2025, 4, 30))
    quarter = resolve("last_quarter", today=TODAY)
    assert previous(quarter) == Period(D(2025, 10, 1), D(2025, 12, 31))


def test_all_is_the_span_of_the_data_and_custom_any_order():
    span = Period(D(2025, 1, 3), D(2026, 5, 1))
    assert resolve("all", today=TODAY, span=span) == span
    assert resolve("all", today=TODAY) == Period(TODAY, TODAY)
    assert resolve("custom", today=TODAY, custom=(D(2026, 3, 9), D(2026, 3, 2))) == Period(
        D(2026, 3, 2), D(2026, 3, 9)
    )


def test_bad_presets_and_periods_are_refused():
    with pytest.raises(ValueError, match="unknown period preset 'fortnight'"):
        resolve("fortnight", today=TODAY)
    with pytest.raises(ValueError, match="needs its first and last days"):
        resolve("custom", today=TODAY)
    with pytest.raises(ValueError, match="ends on or after it starts"):
        Period(D(2026, 3, 2), D(2026, 3, 1))


@pytest.mark.parametrize(
    ("period", "before"),
    [
        # whole months and quarters compare with the whole one before
        (Period(D(2026, 3, 1), D(2026, 3, 31)), Period(D(2026, 2, 1), D(2026, 2, 28))),
        (Period(D(2026, 4, 1), D(2026, 6, 30)), Period(D(2026, 1, 1), D(2026, 3, 31))),
        (Period(D(2026, 1, 1), D(2026, 1, 31)), Period(D(2025, 12, 1), D(2025, 12, 31))),
        # anything else: as many days, just before
        (Period(D(2026, 4, 15), D(2026, 5, 14)), Period(D(2026, 3, 16), D(2026, 4, 14))),
        (Period(D(2026, 5, 1), D(2026, 5, 14)), Period(D(2026, 4, 17), D(2026, 4, 30))),
    ],
)
def test_the_previous_period(period, before):
    assert previous(period) == before


def test_every_preset_has_a_label():
    assert PRESETS["last_quarter"] == "Last quarter"
    assert Period(D(2026, 1, 1), D(2026, 3, 31)).label() == "01 Jan 2026 - 31 Mar 2026"


def test_a_period_to_date_is_compared_with_the_same_days_before():
    """1-14 May with 1-14 April, the quarter to date with the same days of the quarter before,
    the year to date with the same days of last year (issue 15: a person's comparison)."""
    month = resolve("this_month", today=TODAY)
    assert previous_for("this_month", month) == Period(D(2026, 4, 1), D(2026, 4, 14))
    quarter = resolve("this_quarter", today=TODAY)  # 1 April - 14 May: 44 days
    assert previous_for("this_quarter", quarter) == Period(D(2026, 1, 1), D(2026, 2, 13))
    year = resolve("year_to_date", today=TODAY)
    assert previous_for("year_to_date", year) == Period(D(2025, 1, 1), D(2025, 5, 14))
    # the month before is shorter: 1-31 March to date compares with all of February
    march = Period(D(2026, 3, 1), D(2026, 3, 31))
    assert previous_for("this_month", march) == Period(D(2026, 2, 1), D(2026, 2, 28))
    # other presets as before
    assert previous_for("last_quarter", resolve("last_quarter", today=TODAY)) == Period(
        D(2025, 10, 1), D(2025, 12, 31))  # fmt: skip
