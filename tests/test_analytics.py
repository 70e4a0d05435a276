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
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.policy import parse_policy
from dashboard.queries import Filters
from tests import analytics_fixture as fixture
from tests.helpers import london_spec, policy_dict, vendor_policy

POLICY = vendor_policy()
SCOPE = analytics.Scope(Filters(*fixture.PERIOD), fixture.AS_OF)
CALENDAR = BusinessCalendar.build(london_spec(), first_year=2025, last_year=2027)
H = 3600


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


def test_attainment_from_counts_already_read_equals_reading_them(db):
    """One read of the counts (attainment_rows, dismissal_rows, any grain) serves every
    grouping a page draws, and the headline made from them is the headline."""
    for scope in (SCOPE, analytics.Scope(Filters(*fixture.PERIOD, customers=("Acme",)),
                                         fixture.AS_OF)):  # fmt: skip
        for grain in ("week", "month"):
            counts = analytics.attainment_rows(db, scope, grain=grain)
            for by in (("severity",), ("period",), ("period", "severity"), ("customer",)):
                for dismissed in (True, False):
                    shared = analytics.attainment(db, scope, by=by, grain=grain, rows=counts,
                                                  include_dismissed=dismissed)  # fmt: skip
                    alone = analytics.attainment(db, scope, by=by, grain=grain,
                                                 include_dismissed=dismissed)  # fmt: skip
                    assert shared.equals(alone), (by, grain, dismissed)
            dismissed = analytics.dismissal_rows(db, scope, grain=grain)
            for by in (("period",), ("customer",), ("all",)):
                shared = analytics.dismissals(db, scope, by=by, grain=grain, rows=dismissed)
                assert shared.equals(analytics.dismissals(db, scope, by=by, grain=grain)), by
            headline = analytics.headline(db, scope, POLICY, counts=counts, dismissed=dismissed)
            assert headline == analytics.headline(db, scope, POLICY)


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


# -- resolution times (issue 12) ----------------------------------------------------------------

# Of the cases created 2-13 March and resolved, in business hours (fixture.RESOLVED_SECONDS):
#   level 1: A01 6, A02 10, A03 8, G01 3, G02 5, G12 2            -> 2 3 5 6 8 10
#   level 2: A04 9, A05 10.5, G03 10, G04 5                       -> 5 9 10 10.5
#   level 3: A06 4, A07 2, A12 1, G05 15, G06 1, G07 2, I01 9, I02 14, I09 1, U01 5
#                                                                 -> 1 1 1 2 2 4 5 9 14 15
#   level 4: A08 28, A09 25, A13 2, A14 1, G08 19, I03 28, I04 1/3, I05 3, I10 1
#                                                                 -> 1/3 1 1 2 3 19 25 28 28
# numpy's linear rule: the median of an even count is the mean of the middle two; p90 sits at
# rank 0.9 * (n - 1): level 1 at 4.5 (8 h and 10 h: 9 h), level 2 at 2.7 (10 + 0.7 * 0.5),
# level 3 at 8.1 (14 + 0.1 * 1), level 4 at 7.2 (28 and 28).
EXPECTED_RESOLUTION = {
    # level: resolved, median hours, p90 hours
    1: (6, 5.5, 9.0),
    2: (4, 9.5, 10.35),
    3: (10, 3.0, 14.1),
    4: (9, 3.0, 28.0),
}
# Resolution targets for levels 1 and 4 only (the vendor's policy has none): level 1 in 6 h
# meets A01 (6 h exactly), G01, G02, G12 and breaches A02, A03; level 4 in 24 h meets A13, A14,
# G08, I04, I05, I10 and breaches A08, A09, I03.
EXPECTED_RESOLUTION_VERDICTS = {1: (4, 2), 2: (0, 0), 3: (0, 0), 4: (6, 3)}


def with_resolution_targets(**hours):
    raw = policy_dict()
    for level, target in hours.items():
        raw["severity"][int(level[1:]) - 1]["resolution_hours"] = target
    return parse_policy(raw, source="resolution-targets.toml")


RESOLUTION_POLICY = with_resolution_targets(L1=6, L4=24)


def test_resolution_times_by_hand(db):
    table = analytics.resolution_distribution(db, SCOPE, POLICY).set_index("severity")
    for level, (resolved, median, p90) in EXPECTED_RESOLUTION.items():
        row = table.loc[level]
        assert row["resolved"] == resolved
        assert row["median_hours"] == pytest.approx(median)
        assert row["p90_hours"] == pytest.approx(p90)
        assert row["target_hours"] is None
        assert (row["met"], row["breached"]) == (0, 0)  # no target, no verdict
    # the same percentile rule as response times, over the hand-written seconds
    for level, cases in _by_severity(fixture.in_period()).items():
        seconds = [fixture.RESOLVED_SECONDS[c["case_id"]] for c in cases
                   if c["case_id"] in fixture.RESOLVED_SECONDS]  # fmt: skip
        assert table.loc[level, "median_hours"] == pytest.approx(np.percentile(seconds, 50) / H)
        assert table.loc[level, "p90_hours"] == pytest.approx(np.percentile(seconds, 90) / H)


def test_resolution_figures_in_the_headline(db):
    figures = analytics.headline(db, SCOPE, POLICY)
    for severity in figures.severities:
        resolved, median, p90 = EXPECTED_RESOLUTION[severity.level]
        resolution = severity.resolution
        assert (resolution.resolved, resolution.median_hours, resolution.p90_hours) == (
            resolved, pytest.approx(median), pytest.approx(p90))  # fmt: skip
        assert resolution.reopened is None  # a one-row-per-case export cannot tell
        assert resolution.target_hours is None
        assert resolution.attainment is None
    assert not figures.has_resolution_targets
    # the previous period (16 Feb - 1 Mar) has P01 (27 h) and P03 (3 h) resolved
    before = analytics.headline(db, analytics.Scope(Filters(dt.date(2026, 2, 16),
                                dt.date(2026, 3, 1)), fixture.AS_OF), POLICY)  # fmt: skip
    assert before.severity(4).resolution.median_hours == 27
    assert before.severity(2).resolution.median_hours == 3
    assert before.severity(1).resolution.resolved == 0
    assert before.severity(1).resolution.median_hours is None  # nothing resolved: no figure


def test_resolution_verdicts_against_targets(engine, tmp_path):
    db = fixture.import_into(engine, tmp_path, policy=RESOLUTION_POLICY)
    figures = analytics.headline(db, SCOPE, RESOLUTION_POLICY)
    assert figures.has_resolution_targets
    for severity in figures.severities:
        met, breached = EXPECTED_RESOLUTION_VERDICTS[severity.level]
        resolution = severity.resolution
        assert (resolution.met, resolution.breached) == (met, breached)
        assert resolution.target_hours == {1: 6, 4: 24}.get(severity.level)
        # computed from the counts, never averaged; none where nothing was judged
        assert resolution.attainment == (pytest.approx(met / (met + breached)) if met + breached
                                         else None)  # fmt: skip
        assert resolution.median_hours == pytest.approx(EXPECTED_RESOLUTION[severity.level][1])
    # the response figures do not move
    assert figures.totals == analytics.headline(db, SCOPE, POLICY).totals
    assert whatif.headline_under(db, SCOPE, RESOLUTION_POLICY) == figures


def test_what_if_resolution_targets_change_nothing_stored(db):
    compared = whatif.compare(db, SCOPE, POLICY, RESOLUTION_POLICY)
    urgent = compared.other.severity(1).resolution
    assert (urgent.met, urgent.breached, urgent.target_hours) == (4, 2, 6)
    assert compared.stored.severity(1).resolution.met == 0
    assert analytics.headline(db, SCOPE, POLICY).severity(1).resolution.target_hours is None


# An event log (ServiceNow's audit-trail shape), London, March 2026, all level 1: INC1 is
# paused 3 h awaiting the user, resolved on Monday, reopened and resolved again on Tuesday;
# INC2 is resolved once; INC3 stays open. Beside it, C01 from a one-row-per-case export.
#   INC1: Mon 09:00 - Tue 10:00 is 9 h + 1 h, less 11:00-14:00 paused: 7 h; reopened once
#   INC2: Wed 09:00-12:00: 3 h
#   C01:  Mon 10:00-11:00: 1 h
# 1 3 7: median 3 h; p90 at rank 0.9 * 2 = 1.8: 3 + 0.8 * 4 = 6.2 h; reopened: 1 of INC1-INC3.
EVENT_LOG = (
    "number,incident_state,sys_mod_count,sys_updated_at,priority,opened_at,caller_id,"
    "contact_type,resolved_at,closed_at\n"
    "INC1,New,0,2/3/2026 09:00,1 - Critical,2/3/2026 09:00,Acme,Email,?,?\n"
    "INC1,Active,1,2/3/2026 10:00,1 - Critical,2/3/2026 09:00,Acme,Email,?,?\n"
    "INC1,Awaiting User Info,2,2/3/2026 11:00,1 - Critical,2/3/2026 09:00,Acme,Email,?,?\n"
    "INC1,Active,3,2/3/2026 14:00,1 - Critical,2/3/2026 09:00,Acme,Email,?,?\n"
    "INC1,Resolved,4,2/3/2026 15:00,1 - Critical,2/3/2026 09:00,Acme,Email,2/3/2026 15:00,?\n"
    "INC1,Active,5,2/3/2026 16:00,1 - Critical,2/3/2026 09:00,Acme,Email,?,?\n"
    "INC1,Resolved,6,3/3/2026 10:00,1 - Critical,2/3/2026 09:00,Acme,Email,3/3/2026 10:00,?\n"
    "INC2,New,0,4/3/2026 09:00,1 - Critical,4/3/2026 09:00,Acme,Email,?,?\n"
    "INC2,Active,1,4/3/2026 09:30,1 - Critical,4/3/2026 09:00,Acme,Email,?,?\n"
    "INC2,Resolved,2,4/3/2026 12:00,1 - Critical,4/3/2026 09:00,Acme,Email,4/3/2026 12:00,?\n"
    "INC3,New,0,5/3/2026 09:00,1 - Critical,5/3/2026 09:00,Acme,Email,?,?\n"
)
ONE_ROW_PER_CASE = (
    "case_id,customer,severity,created_at,first_response_at,resolved_at\n"
    "C01,Acme,P1,2026-03-02 10:00,2026-03-02 10:30,2026-03-02 11:00\n"
)


def test_resolution_of_an_event_log_less_pauses_with_reopens(engine, tmp_path):
    raw = policy_dict()
    raw["pauses"] = {"statuses": ["Awaiting User Info"]}
    policy = parse_policy(raw, source="pauses.toml")
    (tmp_path / "incidents.csv").write_text(EVENT_LOG)
    (tmp_path / "cases.csv").write_text(ONE_ROW_PER_CASE)
    prepared = [prepare_file(tmp_path / n, policy) for n in ("incidents.csv", "cases.csv")]
    import_prepared(engine, prepared, policy)
    figures = analytics.headline(engine, SCOPE, policy)
    urgent = figures.severity(1).resolution
    assert (urgent.resolved, urgent.median_hours, urgent.p90_hours) == (
        3, 3, pytest.approx(6.2))  # fmt: skip
    assert urgent.reopened == 1  # INC1, of the three from the log; C01 cannot tell
    assert figures.severity(2).resolution.reopened is None  # no case of level 2 at all
    assert whatif.headline_under(engine, SCOPE, policy) == figures  # pauses as stored


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


AGE_AT_AS_OF = {"A10": 1, "A11": 4, "A15": 0, "G09": 2, "G10": 4, "G11": 6, "I06": 1, "I07": 0,
                "I08": 1, "U02": 2, "P02": 10}  # fmt: skip  # case: business days


def test_ageing_in_business_days(db):
    ages = analytics.ageing(db, SCOPE, POLICY)
    # a row per day created and severity, counting its cases, which share its age
    assert not ages.duplicated(["created_local_date", "severity"]).any()
    counted = Counter()
    for age, level, cases in ages[["age_business_days", "severity", "cases"]].itertuples(
        index=False
    ):
        counted[(age, level)] += cases
    by_hand = Counter((AGE_AT_AS_OF[case], level) for case, level in OPEN_AT_AS_OF.items())
    assert counted == by_hand


def test_ageing_counts_past_the_years_the_database_has_a_calendar_for(db):
    # The stored calendar_days end a year after the data; an as-of years later still gets ages.
    later = analytics.Scope(SCOPE.filters, dt.datetime(2030, 3, 13, 12, tzinfo=dt.UTC))
    ages = analytics.ageing(db, later, POLICY)
    table = ages.set_index(ages["created_local_date"].astype(str))["age_business_days"]
    calendar = BusinessCalendar.build(POLICY.calendar, first_year=2026, last_year=2030)
    working = calendar.working_dates()
    expected = int(
        ((working > np.datetime64("2026-03-12")) & (working <= np.datetime64("2030-03-13"))).sum()
    )
    assert table["2026-03-12"].unique().tolist() == [expected]  # A10's day: Thu 12 Mar 2026
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
        # issue 12: after the response figures, never before them
        "resolved", "median_resolution_hours", "p90_resolution_hours", "reopened",
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
    assert {k: first[k] for k in ("resolved", "median_resolution_hours", "p90_resolution_hours",
                                  "reopened")} == {
        "resolved": 6, "median_resolution_hours": 5.5, "p90_resolution_hours": 9.0,
        "reopened": None}  # fmt: skip
    totals = figures["totals"]
    assert {k: totals[k] for k in ("cases", "met", "breached", "pending", "invalid")} == {
        "cases": 40, "met": 22, "breached": 9, "pending": 6, "invalid": 1}  # fmt: skip
    assert totals["attainment"] == pytest.approx(22 / 31)
    assert figures["backlog"] == {"open": 11, "open_by_severity": {"1": 2, "2": 4, "3": 2, "4": 3}}
    assert figures["dismissals"]["dismissed"] == 5
    assert figures["dismissals"]["rate"] == pytest.approx(5 / 40)
    reasons = {"third_party": 2, "not_flux": 1, "infrastructure_access": 1, "other": 1}
    assert figures["dismissals"]["by_reason"] == reasons


def test_stats_json_with_resolution_targets(engine, tmp_path):
    db = fixture.import_into(engine, tmp_path, policy=RESOLUTION_POLICY)
    figures = analytics.headline(db, SCOPE, RESOLUTION_POLICY).as_json()
    severities = {s["level"]: s for s in figures["severities"]}
    assert list(severities[1])[-8:] == [
        "resolved", "median_resolution_hours", "p90_resolution_hours", "reopened",
        "resolution_target_hours", "resolution_met", "resolution_breached",
        "resolution_attainment",
    ]  # fmt: skip
    assert {k: severities[1][k] for k in list(severities[1])[-4:]} == {
        "resolution_target_hours": 6, "resolution_met": 4, "resolution_breached": 2,
        "resolution_attainment": pytest.approx(4 / 6)}  # fmt: skip
    assert {k: severities[2][k] for k in list(severities[2])[-4:]} == {
        "resolution_target_hours": None, "resolution_met": 0, "resolution_breached": 0,
        "resolution_attainment": None}  # fmt: skip
    assert severities[4]["resolution_attainment"] == pytest.approx(6 / 9)


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
        assert queries.load(name, "sqlite").grain.startswith("grain:"), name
