"""Every analytics query against the hand-computed fixture, on SQLite and PostgreSQL.

The expected figures are worked out by hand from tests/analytics_fixture.py (per case: its
business response time and its status as of Friday 13 March 2026 12:00); where a test adds
up several cases it does so from that hand-written table, never from our own code.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest

from dashboard import analytics, queries, whatif
from dashboard.business_hours import BusinessCalendar
from dashboard.policy import parse_policy
from dashboard.queries import Filters
from tests import analytics_fixture as fixture
from tests.helpers import london_spec, policy_dict, vendor_policy

POLICY = vendor_policy()
SCOPE = analytics.Scope(Filters(*fixture.PERIOD), fixture.AS_OF)
CALENDAR = BusinessCalendar.build(london_spec(), first_year=2025, last_year=2027)


def _by_severity(rows):
    return {level: [r for r in rows if r["level"] == level] for level in (1, 2, 3, 4)}


# -- attainment -------------------------------------------------------------------------------

EXPECTED_BY_SEVERITY = {
    # level: cases, met, breached, pending, invalid, unscored (counted by hand)
    1: (8, 5, 2, 1, 0, 0),
    2: (8, 3, 3, 1, 0, 1),
    3: (11, 7, 1, 1, 1, 1),
    4: (13, 7, 3, 3, 0, 0),
}


def test_attainment_by_severity(db):
    table = analytics.attainment(db, SCOPE, by=("severity",)).set_index("severity")
    for level, counts in EXPECTED_BY_SEVERITY.items():
        row = table.loc[level]
        assert tuple(int(row[k]) for k in analytics.COUNTS) == counts
        met, breached = counts[1], counts[2]
        assert row["attainment"] == pytest.approx(met / (met + breached))
    # the per-case statuses written by hand say the same
    for level, cases in _by_severity(fixture.in_period()).items():
        statuses = Counter(c["status"] for c in cases)
        assert [statuses[k] for k in analytics.COUNTS[1:]] == list(EXPECTED_BY_SEVERITY[level][1:])


def test_attainment_by_customer_and_week_adds_up(db):
    table = analytics.attainment(db, SCOPE, by=("customer", "period"), grain="week")
    assert set(table["period"]) == {"2026-03-02", "2026-03-09"}
    acme = table[table["customer"] == "Acme"].set_index("period")
    # week of 2 March, Acme: A01-A09, A12-A14 -> met A01 A03 A04 A06 A07 A09 A13 A14,
    # breached A02 A05 A08, invalid A12
    assert tuple(int(acme.loc["2026-03-02", k]) for k in analytics.COUNTS) == (12, 8, 3, 0, 1, 0)
    assert acme.loc["2026-03-02", "attainment"] == pytest.approx(8 / 11)
    assert int(table["cases"].sum()) == 40


def test_attainment_without_dismissed_cases(db):
    without = analytics.attainment(db, SCOPE, by=("severity",), include_dismissed=False)
    without = without.set_index("severity")
    # dismissed: A13 A14 I04 I05 (level 4, all met), G07 (level 3, met)
    assert int(without.loc[4, "met"]) == 7 - 4
    assert int(without.loc[3, "met"]) == 7 - 1
    assert without.loc[4, "attainment"] == pytest.approx(3 / 6)


def test_nothing_to_judge_gives_no_attainment(db):
    scope = analytics.Scope(Filters(*fixture.PERIOD, customers=("Nobody",)), fixture.AS_OF)
    table = analytics.attainment(db, scope, by=("severity",))
    assert table.empty
    headline = analytics.headline(db, scope, POLICY)
    assert headline.totals.attainment is None
    assert headline.severities[0].median_response_hours is None


# -- response times ---------------------------------------------------------------------------


def test_response_time_distribution_uses_numpys_linear_percentiles(db):
    table = analytics.response_distribution(db, SCOPE, POLICY).set_index("severity")
    for level, cases in _by_severity(fixture.in_period()).items():
        seconds = np.array([c["seconds"] for c in cases if c["seconds"] is not None], float)
        row = table.loc[level]
        assert row["answered"] == len(seconds)
        assert row["median_hours"] == pytest.approx(np.percentile(seconds, 50) / 3600)
        assert row["p90_hours"] == pytest.approx(np.percentile(seconds, 90) / 3600)
        assert row["p95_hours"] == pytest.approx(np.percentile(seconds, 95) / 3600)
    # near misses, met within the last 10 % of the target: A03, G02 (level 1), I02 (3), A09 (4)
    assert table["near_misses"].to_dict() == {1: 2, 2: 0, 3: 1, 4: 1}
    # answered breaches and their overshoot: A02 1 h (1); A05 1 h, G03 1 h (2); G05 1 h (3);
    # A08 3 h, I03 3 h (4)
    assert table["breaches"].to_dict() == {1: 1, 2: 2, 3: 1, 4: 2}
    assert table["max_overshoot_hours"].to_dict() == {1: 1.0, 2: 1.0, 3: 1.0, 4: 3.0}


# -- breaches and the at-risk queue -----------------------------------------------------------


def test_breaches_with_overshoot(db):
    table = analytics.breaches(db, SCOPE, CALENDAR).set_index("case_id")
    # answered late, and unanswered past their breach instant (overshoot as of AS_OF)
    expected = {"A02": 1, "A05": 1, "A08": 3, "G03": 1, "G05": 1, "I03": 3,
                "A11": 39 - 8, "G10": 39 - 24, "I08": 12 - 4}  # fmt: skip
    assert table["overshoot_hours"].to_dict() == pytest.approx(expected)
    assert set(table.index[table["answered"]]) == {"A02", "A05", "A08", "G03", "G05", "I03"}


def test_at_risk_queue_soonest_deadline_first(db):
    table = analytics.at_risk(db, analytics.Scope(Filters(), fixture.AS_OF), CALENDAR)
    # every open case unanswered at AS_OF (U02 records no responses; G11 was answered)
    assert table["case_id"].tolist() == ["P02", "A11", "G10", "I08", "I07", "G09", "I06", "A15",
                                         "A10"]  # fmt: skip
    remaining = dict(zip(table["case_id"], table["remaining_hours"], strict=True))
    assert remaining == pytest.approx({"P02": -80, "A11": -31, "G10": -15, "I08": -8, "I07": 2,
                                       "G09": 3, "I06": 3, "A15": 11, "A10": 12})  # fmt: skip
    assert table.set_index("case_id")["breached"].to_dict() == {
        c: remaining[c] < 0 for c in remaining
    }


# -- backlog ----------------------------------------------------------------------------------

OPEN_AT_AS_OF = {"A10": 4, "A11": 2, "A15": 3, "G09": 4, "G10": 4, "G11": 2, "I06": 2, "I07": 1,
                 "I08": 1, "U02": 2, "P02": 3}  # fmt: skip  # case: level


def test_open_cases_at_as_of_whenever_created(db):
    counts = analytics.open_cases(db, SCOPE, POLICY)
    assert counts == {1: 2, 2: 4, 3: 2, 4: 3}
    assert sum(counts.values()) == len(OPEN_AT_AS_OF)


def test_ageing_in_business_days(db):
    table = analytics.ageing(db, SCOPE, POLICY).set_index("case_id")["age_business_days"]
    assert table.to_dict() == {"A10": 1, "A11": 4, "A15": 0, "G09": 2, "G10": 4, "G11": 6,
                               "I06": 1, "I07": 0, "I08": 1, "U02": 2, "P02": 10}  # fmt: skip


def test_ageing_counts_past_the_years_the_database_has_a_calendar_for(db):
    # The stored calendar_days end a year after the data; an as-of years later still gets ages.
    later = analytics.Scope(SCOPE.filters, dt.datetime(2030, 3, 13, 12, tzinfo=dt.UTC))
    table = analytics.ageing(db, later, POLICY).set_index("case_id")["age_business_days"]
    calendar = BusinessCalendar.build(POLICY.calendar, first_year=2026, last_year=2030)
    working = calendar.working_dates()
    expected = int(
        ((working > np.datetime64("2026-03-12")) & (working <= np.datetime64("2030-03-13"))).sum()
    )
    assert table["A10"] == expected  # created Thu 12 Mar 2026
    assert expected > 1000


def _open_at_end_of(day: dt.date) -> Counter:
    """By hand from the table: created on or before the day, not resolved by its end."""
    counts = Counter()
    for r in fixture.rows():
        created = r["created"][:10] <= day.isoformat()
        closed = r["resolved"] and r["resolved"][:10] <= day.isoformat()
        if created and not closed:
            counts[r["level"]] += 1
    return counts


def test_backlog_at_the_end_of_each_day(db):
    table = analytics.backlog(db, Filters(), first=dt.date(2026, 2, 27), last=dt.date(2026, 3, 13))
    for day in (
        dt.date(2026, 2, 27),
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 13),
    ):
        got = {int(r.severity): int(r.open_cases) for r in table[table["day"] == day].itertuples()}
        assert {k: v for k, v in got.items() if v} == dict(_open_at_end_of(day)), day
    # end of Friday 13 March: the 11 open at noon plus F01 (opened at 15:00)
    assert int(table[table["day"] == dt.date(2026, 3, 13)]["open_cases"].sum()) == 12


def test_weekly_backlog_is_read_on_sundays(db):
    table = analytics.backlog(db, Filters(), first=dt.date(2026, 3, 1), last=dt.date(2026, 3, 15),
                              grain="week")  # fmt: skip
    assert sorted(set(table["day"])) == [dt.date(2026, 3, 1), dt.date(2026, 3, 8),
                                         dt.date(2026, 3, 15)]  # fmt: skip


def test_opened_and_resolved_per_week(db):
    table = analytics.opened_resolved(db, Filters(*fixture.PERIOD), grain="week")
    totals = table.groupby("period")[["opened", "resolved"]].sum()
    by_hand = Counter()
    for r in fixture.rows():
        for key, when in (("opened", r["created"]), ("resolved", r["resolved"])):
            if when and fixture.PERIOD[0].isoformat() <= when[:10] <= fixture.PERIOD[1].isoformat():
                week = "2026-03-02" if when[:10] <= "2026-03-08" else "2026-03-09"
                by_hand[(week, key)] += 1
    for week in ("2026-03-02", "2026-03-09"):
        assert int(totals.loc[week, "opened"]) == by_hand[(week, "opened")]
        assert int(totals.loc[week, "resolved"]) == by_hand[(week, "resolved")]


def test_backlog_is_opened_minus_resolved(db):
    first, last = dt.date(2026, 2, 20), dt.date(2026, 3, 13)
    daily = analytics.opened_resolved(db, Filters(date_from=first, date_to=last), grain="day")
    backlog = analytics.backlog(db, Filters(), first=first, last=last)
    running = daily.groupby("period")["opened"].sum() - daily.groupby("period")["resolved"].sum()
    end = int(backlog[backlog["day"] == last]["open_cases"].sum())
    assert end == int(running.sum())


# -- dismissals and channels ------------------------------------------------------------------


def test_dismissal_rates_by_reason_and_customer(db):
    by_customer = analytics.dismissals(db, SCOPE, by=("customer",)).set_index("customer")
    assert by_customer["dismissed"].to_dict() == {"Acme": 2, "Globex": 1, "Initech": 2}
    assert by_customer["cases"].to_dict() == {"Acme": 16, "Globex": 13, "Initech": 11}
    assert by_customer["rate"].to_dict() == pytest.approx({"Acme": 2 / 16, "Globex": 1 / 13,
                                                          "Initech": 2 / 11})  # fmt: skip
    by_period = analytics.dismissals(db, SCOPE, by=("period",), grain="quarter")
    row = by_period.iloc[0]
    assert (row["period"], row["cases"], row["dismissed"]) == ("2026-Q1", 40, 5)
    assert {r: row[r] for r in ("third_party", "not_flux", "infrastructure_access", "other")} == {
        "third_party": 2, "not_flux": 1, "infrastructure_access": 1, "other": 1}  # fmt: skip


def test_channels_flag_email_outside_emergencies(db):
    table = analytics.channels(db, SCOPE)
    email = table[table["channel"] == "email"].set_index("severity")
    assert email["cases"].to_dict() == {1: 2, 2: 2, 3: 2, 4: 2}
    assert email["email_outside_emergency"].to_dict() == {1: False, 2: False, 3: True, 4: True}
    assert int(table["cases"].sum()) == 40


# -- stats, what-if -------------------------------------------------------------------------


def test_stats_json_shape_and_figures(db):
    figures = analytics.headline(db, SCOPE, POLICY).as_json()
    assert list(figures) == [
        "as_of", "period", "policy", "severities", "totals", "backlog", "dismissals",
    ]  # fmt: skip
    assert list(figures["severities"][0]) == [
        "level", "name", "target_hours", "cases", "met", "breached", "pending", "invalid",
        "unscored", "attainment", "median_response_hours", "p90_response_hours",
        "p95_response_hours", "near_misses",
    ]  # fmt: skip
    assert list(figures["totals"]) == [
        "cases", "met", "breached", "pending", "invalid", "unscored", "attainment",
    ]  # fmt: skip
    assert figures["as_of"] == "2026-03-13T12:00:00Z"
    assert figures["period"] == {"from": "2026-03-02", "to": "2026-03-13"}
    first = figures["severities"][0]
    assert {k: first[k] for k in ("level", "name", "target_hours", "cases", "met", "breached",
                                  "pending", "invalid", "attainment")} == {
        "level": 1, "name": "Urgent", "target_hours": 4, "cases": 8, "met": 5, "breached": 2,
        "pending": 1, "invalid": 0, "attainment": pytest.approx(5 / 7)}  # fmt: skip
    assert set(first) >= {"median_response_hours", "p90_response_hours"}
    totals = figures["totals"]
    assert {k: totals[k] for k in ("cases", "met", "breached", "pending", "invalid")} == {
        "cases": 40, "met": 22, "breached": 9, "pending": 6, "invalid": 1}  # fmt: skip
    assert totals["attainment"] == pytest.approx(22 / 31)
    assert figures["backlog"] == {"open": 11, "open_by_severity": {"1": 2, "2": 4, "3": 2, "4": 3}}
    assert figures["dismissals"]["dismissed"] == 5
    assert figures["dismissals"]["rate"] == pytest.approx(5 / 40)
    reasons = {"third_party": 2, "not_flux": 1, "infrastructure_access": 1, "other": 1}
    assert figures["dismissals"]["by_reason"] == reasons


def test_invariants(db):
    figures = analytics.headline(db, SCOPE, POLICY)
    for counts in [*(s.counts for s in figures.severities), figures.totals]:
        judged = counts.met + counts.breached + counts.pending + counts.invalid + counts.unscored
        assert judged == counts.cases
        assert counts.attainment is None or 0 <= counts.attainment <= 1
    assert 0 <= figures.dismissals.rate <= 1


def test_what_if_under_the_same_policy_equals_the_stored_figures(db):
    assert whatif.headline_under(db, SCOPE, POLICY) == analytics.headline(db, SCOPE, POLICY)


def test_what_if_a_stricter_urgent_target(db):
    raw = policy_dict()
    raw["severity"][0]["response_hours"] = 2
    stricter = parse_policy(raw, source="stricter.toml")
    compared = whatif.compare(db, SCOPE, POLICY, stricter)
    urgent = compared.other.severities[0].counts
    # level 1 under 2 h: met A01 (1 h), G01 (0.5 h), G12 (0.75 h); breached A02, A03 (3.67 h),
    # G02 (4 h), I08 (unanswered, 12 h used); pending I07 (2 h used: not yet over)
    assert (urgent.met, urgent.breached, urgent.pending) == (3, 4, 1)
    assert compared.stored.severities[0].counts.met == 5  # nothing stored changed
    assert analytics.headline(db, SCOPE, POLICY).severities[0].counts.met == 5


def test_filters_narrow_every_query(db):
    scope = analytics.Scope(
        Filters(*fixture.PERIOD, customers=("Globex",), severities=(2, 3), channels=("portal",),
                plans=("Business",)),
        fixture.AS_OF,
    )  # fmt: skip
    table = analytics.attainment(db, scope, by=("severity",)).set_index("severity")
    # Globex portal cases, levels 2-3, in the period: G04 G11 U02 (2); G05 G06 G07 (3)
    assert table["cases"].to_dict() == {2: 3, 3: 3}


def test_every_query_file_names_its_grain():
    for name in queries.names():
        assert queries.load(name).grain.startswith("grain:"), name
