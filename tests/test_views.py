"""Each page's figures (dashboard/views.py) against the queries and the hand-computed fixture,
on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dashboard import analytics, periods, readable, views, whatif
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.policy import parse_policy
from dashboard.queries import Filters
from tests import analytics_fixture as fixture
from tests.helpers import vendor_policy

POLICY = vendor_policy()
VIEW = views.View(Filters(), periods.Period(*fixture.PERIOD), fixture.AS_OF)
PREVIOUS_END = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)  # London is on GMT then


def _same(shown, expected) -> bool:
    """A figure in a frame (None became NaN there) equals the query's."""
    if expected is None:
        return shown is None or shown != shown
    return shown == pytest.approx(expected)


def test_the_view_scopes_and_the_previous_period():
    assert VIEW.scope().filters == Filters(*fixture.PERIOD)
    assert VIEW.previous == periods.Period(dt.date(2026, 2, 18), dt.date(2026, 3, 1))
    assert VIEW.grain == "week"
    long = dataclasses.replace(
        VIEW, period=periods.Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    )
    assert long.grain == "month"
    assert VIEW.narrowed(customers=("Acme",)).scope().filters.customers == ("Acme",)


def test_overview_equals_the_headline_of_both_periods(db):
    data = views.overview(db, POLICY, VIEW)
    now = analytics.headline(db, VIEW.scope(), POLICY)
    before = analytics.headline(db, VIEW.scope(VIEW.previous), POLICY)
    table = data.severities.set_index("severity")
    for current, previous in zip(now.severities, before.severities, strict=True):
        row = table.loc[current.level]
        assert row["cases"] == current.counts.cases
        assert _same(row["attainment"], current.attainment)
        assert _same(row["median_hours"], current.median_response_hours)
        assert _same(row["p90_hours"], current.p90_response_hours)
        assert _same(row["previous_attainment"], previous.attainment)
        assert row["previous_cases"] == previous.counts.cases
        assert row["resolved"] == current.resolution.resolved
        assert _same(row["resolution_median_hours"], current.resolution.median_hours)
        assert _same(row["resolution_p90_hours"], current.resolution.p90_hours)
        assert row["previous_resolved"] == previous.resolution.resolved
        assert _same(row["previous_resolution_median_hours"], previous.resolution.median_hours)
        assert _same(row["previous_resolution_p90_hours"], previous.resolution.p90_hours)
    # resolution by hand (tests/test_analytics.py): level 1 resolved A01 6 h, A02 10 h, A03 8 h,
    # G01 3 h, G02 5 h, G12 2 h; the previous period, P03 (level 2) 3 h and P01 (level 4) 27 h
    assert table.loc[1, ["resolved", "resolution_median_hours", "resolution_p90_hours"]].tolist(
    ) == [6, 5.5, 9.0]  # fmt: skip
    assert table["previous_resolved"].tolist() == [0, 1, 0, 1]
    assert table.loc[4, "previous_resolution_median_hours"] == 27
    # the vendor's policy sets no resolution target: no columns for verdicts it cannot give
    assert not any(c.endswith("resolution_attainment") for c in table.columns)
    # level 1 by hand: 5 met, 2 breached in the period
    assert table.loc[1, "attainment"] == pytest.approx(5 / 7)
    assert data.now == now
    assert data.before == before
    assert data.now.dismissals.dismissed == 5  # A13 A14 G07 I04 I05
    assert data.now.totals.cases == 40


def test_overview_live_counts_by_hand(db):
    data = views.overview(db, POLICY, VIEW)
    assert data.live_at == fixture.AS_OF
    assert data.live_before_at == PREVIOUS_END
    # At AS_OF, unanswered and open: A10 (12 h of 24 left) G09 (3 of 24) I06 (3 of 8) I07
    # (2 of 4) have half their target or less left; A11 G10 I08 P02 are past it; A15 (11 of
    # 12 left) is neither. Unscored U02 is not in the queue.
    assert data.live_now.at_risk == 4
    assert data.live_now.breached == 4
    assert data.live_now.unanswered == 9
    assert data.live_now.open == sum(
        analytics.open_cases(db, analytics.Scope(Filters(), fixture.AS_OF), POLICY).values()
    )
    # At the end of the previous period (Mon 2 March 00:00): P01 (answered, resolved 3 March)
    # and P02 (8 h of 12 used: at risk) are open.
    assert data.live_before == views.LiveCounts(open=2, at_risk=1, breached=None, unanswered=None)
    # Overdue now, the longest overdue first: P02 (L3: 92 h used of 12), A11 (L2: 39 of 8),
    # G10 (L4: 39 of 24), I08 (L1: 12 of 4); the L1/L2 are listed, the others counted
    assert data.overdue_now == 4
    assert data.urgent_overdue_now == 2
    assert data.queue_now.to_dict("list") == {
        "severity": [1, 2, 3, 4],
        "unanswered": [2, 2, 2, 3],  # I07 I08, A11 I06, A15 P02, A10 G09 G10
        "overdue": [1, 1, 1, 1],
        "at_risk": [1, 1, 0, 2],  # I07, I06, -, A10 G09
    }
    urgent = data.urgent_overdue
    assert urgent["case_id"].tolist() == ["A11", "I08"]
    assert urgent["overdue_hours"].tolist() == pytest.approx([31, 8])


def test_the_counted_queue_agrees_with_reading_the_whole_queue(db):
    """The queue's counts per severity (overdue counted in SQL, at risk from the cases not yet
    overdue) are those of reading every unanswered open case, for any filter and instant."""
    calendar = views.calendar_for(POLICY, VIEW)
    instants = [fixture.AS_OF + dt.timedelta(hours=h) for h in (-200, -30, -5, 0, 3, 50, 400)]
    for filters in (Filters(), Filters(customers=("Acme",)), Filters(severities=(1, 3)),
                    Filters(customers=("nobody",))):  # fmt: skip
        for at in instants:
            scope = analytics.Scope(filters, at)
            counted = views.queue_by_severity(db, POLICY, calendar, scope)
            whole = analytics.at_risk(db, scope, calendar, limit=views.EVERY)
            for level in POLICY.levels:
                theirs = whole[whole["severity"] == level]
                row = counted[counted["severity"] == level].iloc[0]
                expected = views.queue_counts_of(theirs)
                got = views.QueueCounts(at_risk=row["at_risk"], breached=row["overdue"],
                                        unanswered=row["unanswered"])  # fmt: skip
                assert got == expected, (filters, at, level)
            assert views.queue_totals(counted) == views.queue_counts_of(whole), (filters, at)


def test_the_longest_overdue_are_the_first_of_the_whole_queue(db):
    calendar = views.calendar_for(POLICY, VIEW)
    scope = analytics.Scope(Filters(), fixture.AS_OF + dt.timedelta(hours=50))
    whole = views.overdue(analytics.at_risk(db, scope, calendar, limit=views.EVERY))
    assert len(whole) > 3
    for levels in ((1, 2), (3, 4), (1, 2, 3, 4)):
        expected = whole[whole["severity"].isin(levels)].reset_index(drop=True)
        for limit in (1, 2, 100):
            got = views.longest_overdue(db, calendar, scope, levels, limit)
            pd.testing.assert_frame_equal(got, expected.head(limit))
    # the filters' own levels narrow them further; none left: none read
    narrowed = analytics.Scope(Filters(severities=(2, 3)), scope.as_of)
    got = views.longest_overdue(db, calendar, narrowed, (1, 2), 100)
    assert set(got["severity"]) == {2}
    assert views.longest_overdue(db, calendar, narrowed, (1,), 100).empty


def test_overview_live_counts_now_reuse_the_overdue_queue_and_agree_with_reading_it_again(db):
    """A current period's live counts come from the queue read for "Overdue now" and the
    headline's open cases: the same figures as live_counts reading both itself."""
    calendar = views.calendar_for(POLICY, VIEW)
    for view in (VIEW, VIEW.narrowed(customers=("Acme",)), VIEW.narrowed(severities=(1, 2))):
        data = views.overview(db, POLICY, view)
        assert data.live_at == view.as_of  # a current period: the reused path
        assert data.live_now == views.live_counts(db, POLICY, view, calendar, view.as_of)


def test_the_earliest_day_a_case_can_still_be_pending():
    calendar = views.calendar_for(POLICY, VIEW)
    # 24 h is 2.67 days of 9 h: 3 + 2 working days back from Fri 13 March -> Mon 9 March
    assert views.earliest_pending_day(POLICY, calendar, dt.date(2026, 3, 13)) == dt.date(2026, 3, 9)
    # across Easter (Good Friday 3 April, Easter Monday 6 April 2026)
    assert views.earliest_pending_day(POLICY, calendar, dt.date(2026, 4, 8)) == dt.date(2026, 3, 31)


def test_live_counts_at_a_past_instant_agree_with_the_whole_queue(db):
    """The bounded read misses no case still at risk (against reading every open case)."""
    calendar = views.calendar_for(POLICY, VIEW)
    for day in (
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 12),
    ):
        at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), POLICY.calendar.zone)
        at = at.astimezone(dt.UTC)
        later = dataclasses.replace(VIEW, as_of=at + dt.timedelta(days=30))
        bounded = views.live_counts(db, POLICY, later, calendar, at)
        queue = analytics.at_risk(db, analytics.Scope(Filters(), at), calendar)
        whole = views.queue_counts_of(queue)
        opened = sum(analytics.open_cases(db, analytics.Scope(Filters(), at), POLICY).values())
        assert bounded.at_risk == whole.at_risk, day
        assert bounded.open == opened, day


def test_overview_trend_is_the_attainment_query(db):
    data = views.overview(db, POLICY, VIEW)
    expected = analytics.attainment(db, VIEW.scope(), by=("period", "severity"), grain="week")
    assert data.trend["period"].tolist() == [str(p) for p in expected["period"]]
    assert data.trend["period"].iloc[0] == "2026-03-02"  # weeks as ISO dates, drawn as text
    assert data.trend["met"].tolist() == expected["met"].tolist()


def test_attainment_page(db):
    data = views.attainment_page(db, POLICY, VIEW)
    distribution = analytics.response_distribution(db, VIEW.scope(), POLICY)
    for level, binned in data.bins.items():
        answered = distribution.set_index("severity").loc[level, "answered"]
        assert binned["cases"].sum() == answered  # every answered case in one bin
    assert set(data.breaches["case_id"]) == {
        r["case_id"] for r in fixture.in_period() if r["status"] == "breached"
    }
    assert data.by_period["cases"].sum() == 40
    resolution = data.resolution.set_index("severity")
    assert resolution.equals(
        analytics.resolution_distribution(db, VIEW.scope(), POLICY).set_index("severity")
    )
    # by hand: tests/test_analytics.py EXPECTED_RESOLUTION
    assert resolution["resolved"].tolist() == [6, 4, 10, 9]
    assert resolution["median_hours"].tolist() == pytest.approx([5.5, 9.5, 3.0, 3.0])
    assert resolution["p90_hours"].tolist() == pytest.approx([9.0, 10.35, 14.1, 28.0])


def test_backlog_page(db):
    data = views.backlog_page(db, POLICY, VIEW)
    backlog = data.backlog
    last_day = backlog[backlog["day"] == fixture.PERIOD[1]]
    expected = analytics.backlog(db, Filters(), first=fixture.PERIOD[0], last=fixture.PERIOD[1])
    assert (
        last_day["open_cases"].sum()
        == expected[expected["day"] == fixture.PERIOD[1]]["open_cases"].sum()
    )
    assert data.ageing["cases"].sum() == len(data.ages)
    assert data.queue_counts == views.QueueCounts(at_risk=4, breached=4, unanswered=9)


def test_scope_page(db):
    data = views.scope_page(db, POLICY, VIEW)
    both = data.with_without.set_index("severity")
    without = analytics.attainment(db, VIEW.scope(), include_dismissed=False).set_index("severity")
    assert both["met_in_scope"].tolist() == without["met"].tolist()
    assert both["met_all"].sum() == 22  # met in the period, dismissed included
    assert data.by_customer["dismissed"].sum() == 5
    # email on levels 3-4: A07 A14 I02 I10
    assert data.email_flagged == 4


def test_customer_page(db):
    data = views.customer_page(db, POLICY, VIEW, "Acme")
    acme = analytics.headline(db, VIEW.narrowed(customers=("Acme",)).scope(), POLICY)
    assert data.theirs == acme
    table = data.table.set_index("severity")
    assert table.loc[1, "cases"] == 3
    assert table.loc[1, "all_cases"] == 8
    assert set(data.breaches["customer"]) == {"Acme"}
    # the counts behind everyone's rate: level 1 met A01 A03 G01 G02 G12, breached A02 I08
    assert table.loc[1, ["all_met", "all_breached"]].tolist() == [5, 2]
    # Acme's level 1 resolved A01 6 h, A02 10 h, A03 8 h: median 8 h, p90 at rank 1.8 (8 h and
    # 10 h): 9.6 h; beside everyone's 5.5 h and 9 h
    assert table.loc[1, ["resolved", "resolution_median_hours", "resolution_p90_hours"]].tolist(
    ) == [3, 8.0, pytest.approx(9.6)]  # fmt: skip
    assert table.loc[1, ["all_resolved", "all_resolution_median_hours",
                         "all_resolution_p90_hours"]].tolist() == [6, 5.5, 9.0]  # fmt: skip


def test_the_customer_pages_halves_are_keyed_by_what_they_read(db):
    """The page caches the customer's half under the view narrowed to them, and everyone's
    under the sidebar's view: another sidebar customer leaves the first key as it was, and
    the halves make the page customer_page makes."""
    chosen = VIEW.narrowed(customers=("Globex", "Initech"))
    assert chosen.narrowed(customers=("Acme",)) == VIEW.narrowed(customers=("Acme",))
    theirs = views.customer_figures(db, POLICY, VIEW.narrowed(customers=("Acme",)))
    page = views.customer_page_of(theirs, views.everyone_figures(db, POLICY, chosen))
    whole = views.customer_page(db, POLICY, chosen, "Acme")
    assert page.theirs == whole.theirs
    assert page.everyone == whole.everyone
    for name in ("table", "trend", "breaches", "open_cases", "dismissals", "ranking"):
        pd.testing.assert_frame_equal(getattr(page, name), getattr(whole, name), obj=name)
    assert page.overdue == whole.overdue == 1
    # everyone's half is the customers chosen in the sidebar: Globex and Initech, not Acme
    assert set(page.ranking["customer"]) == {"Globex", "Initech"}


def test_customer_page_open_and_overdue_cases_whenever_created(db):
    data = views.customer_page(db, POLICY, VIEW, "Globex")
    # Open at Fri 13 12:00: P02 (February, L3: 92 h used of 12 h), G10 (L4: 39 h of 24 h),
    # G09 (L4: 21 h of 24 h), G11 (answered, unresolved), U02 (no response recorded).
    opened = data.open_cases
    assert data.theirs.open_cases == 5
    assert opened["case_id"].tolist() == ["P02", "G10", "G09", "G11", "U02"]
    assert opened["state"].tolist() == ["overdue", "overdue", "unanswered", "answered",
                                        "not timed"]  # fmt: skip
    assert opened["hours"].tolist()[:3] == [80.0, 15.0, 3.0]  # overdue by 80 h, 15 h; 3 h left
    assert opened["hours"][3:].isna().all()
    # the overdue are those of the Overview's and Backlog's queue: the same cases, hours
    assert data.overdue == 2
    overview = views.overview(db, POLICY, VIEW.narrowed(customers=("Globex",)))
    queue = analytics.at_risk(db, analytics.Scope(Filters(customers=("Globex",)), VIEW.as_of),
                              views.calendar_for(POLICY, VIEW), limit=views.EVERY)  # fmt: skip
    late = views.overdue(queue)
    assert late["case_id"].tolist() == ["P02", "G10"]
    assert late["overdue_hours"].tolist() == opened["hours"].tolist()[:2]
    assert overview.overdue_now == 2
    acme = views.customer_page(db, POLICY, VIEW, "Acme")
    # A11 (L2: 39 h of 8 h) overdue; A10, A15 pending; F01 is created after as_of
    assert acme.open_cases["case_id"].tolist() == ["A11", "A15", "A10"]
    assert acme.open_cases["state"].tolist() == ["overdue", "unanswered", "unanswered"]
    assert acme.open_cases["hours"].tolist() == [31.0, 11.0, 12.0]  # A15 3 h - 1 h used -> 11 h


def test_open_case_states_say_what_the_queue_says_and_are_cut_in_their_own_order(db, monkeypatch):
    """A customer's open cases are judged from their own columns as the at-risk queue judges
    them (the same overdue and unanswered cases, the same hours), and a cut list is the first
    rows of the whole list."""
    calendar = views.calendar_for(POLICY, VIEW)
    for hours in (-200, -30, 0, 50):
        at = fixture.AS_OF + dt.timedelta(hours=hours)
        for customer in ("Acme", "Globex", "Initech"):
            view = dataclasses.replace(VIEW, as_of=at).narrowed(customers=(customer,))
            opened = views.customer_figures(db, POLICY, view).open_cases
            queue = analytics.at_risk(db, analytics.Scope(view.filters, at), calendar,
                                      limit=views.EVERY)  # fmt: skip
            for state, breached in (("overdue", True), ("unanswered", False)):
                late = queue.get("breached", pd.Series(dtype=bool))  # an empty queue: none
                theirs = queue[late == breached]
                ours = opened[opened["state"] == state]
                assert sorted(ours["case_id"]) == sorted(theirs["case_id"]), (at, customer)
                by_case = dict(zip(theirs["case_id"], theirs["remaining_hours"], strict=True))
                sign = -1 if breached else 1
                for case, left in zip(ours["case_id"], ours["hours"], strict=True):
                    assert left == pytest.approx(sign * by_case[case]), (at, customer, case)
            whole = opened
            for limit in range(1, len(whole) + 1):
                monkeypatch.setattr(views, "SHOWN_ROWS", limit)
                cut = views.customer_figures(db, POLICY, view).open_cases
                pd.testing.assert_frame_equal(cut, whole.head(limit), check_dtype=False)
            monkeypatch.undo()


def test_customer_page_dismissals_beside_everyones(db):
    table = views.customer_page(db, POLICY, VIEW, "Globex").dismissals.set_index("reason")
    # Globex: G07 (infrastructure access) of 13 cases; everyone: A13, A14, G07, I04, I05 of 40
    assert table.loc["infrastructure_access", ["dismissed", "cases"]].tolist() == [1, 13]
    assert table.loc["third_party", ["dismissed", "all_dismissed"]].tolist() == [0, 2]
    assert table.loc[views.ALL_REASONS, ["dismissed", "cases", "all_dismissed",
                                         "all_cases"]].tolist() == [1, 13, 5, 40]  # fmt: skip
    assert table.loc[views.ALL_REASONS, "rate"] == pytest.approx(1 / 13)
    assert table.loc[views.ALL_REASONS, "all_rate"] == pytest.approx(5 / 40)


def test_the_customer_page_ranks_from_everyones_counts_as_customer_ranking_does(db):
    """The Customers page groups its ranking from the counts read for everyone's headline:
    the same table as customer_ranking's own reads, under filters and a customer scope."""
    for view in (
        VIEW,
        VIEW.narrowed(severities=(1,)),
        VIEW.narrowed(customers=("Globex",)),
        VIEW.narrowed(scope=("Acme", "Initech")),
        dataclasses.replace(VIEW, period=periods.Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31))),
    ):
        page = views.customer_page(db, POLICY, view, "Acme")
        pd.testing.assert_frame_equal(page.ranking, views.customer_ranking(db, POLICY, view))


def test_customer_ranking_worst_first_from_counts(db):
    ranking = views.customer_ranking(db, POLICY, VIEW)
    # Acme: 16 cases, 8 met, 4 breached (A02 A05 A08 A11), 3 pending, A12 invalid: 8/12;
    # Globex: 13 cases, 8 met, 3 breached (G03 G05 G10): 8/11; Initech: 11, 6 met, 2
    # breached (I03 I08): 6/8. Overdue now: A11; G10 and P02 (February); I08.
    assert ranking.to_dict("list") == {
        "customer": ["Acme", "Globex", "Initech"],
        "cases": [16, 13, 11],
        "met": [8, 8, 6],
        "breached": [4, 3, 2],
        "pending": [3, 1, 2],
        "attainment": [pytest.approx(8 / 12), pytest.approx(8 / 11), pytest.approx(6 / 8)],
        "open_cases": [3, 5, 3],
        "overdue": [1, 2, 1],
        "dismissed": [2, 1, 2],
        "dismissal_rate": [pytest.approx(2 / 16), pytest.approx(1 / 13), pytest.approx(2 / 11)],
    }
    # the grouped count says what the at-risk queue says (the Overview's "Overdue now")
    assert ranking["overdue"].sum() == views.overview(db, POLICY, VIEW).overdue_now == 4
    # Level 1 only: Initech 0 of 1 (I08; I07 pending), Acme 2 of 3, Globex 3 of 3
    urgent = views.customer_ranking(db, POLICY, VIEW.narrowed(severities=(1,)))
    assert urgent["customer"].tolist() == ["Initech", "Acme", "Globex"]
    assert urgent["overdue"].tolist() == [1, 0, 0]


def test_ranking_ties_go_to_more_breaches_then_more_overdue():
    judged = pd.DataFrame(
        {
            "customer": ["Few", "Many", "Late", "Unjudged", None],
            "cases": [4, 40, 40, 2, 9],
            "met": [3, 30, 30, 0, 1],
            "breached": [1, 10, 10, 0, 8],
            "pending": [0, 0, 0, 2, 0],
        }
    )
    dismissed = pd.DataFrame({"customer": ["Many", ""], "dismissed": [4, 1]})
    live = pd.DataFrame({"customer": ["Late", "Old"], "open_cases": [3, 1], "overdue": [2, 1]})
    ranking = views.rank_customers(judged, dismissed, live)
    # all three at 75 %: Late and Many have 10 breaches, Late has the overdue; then Few.
    # None to judge comes last (Unjudged; Old has only an open case from before the period);
    # cases without a customer (None, "") are no customer's.
    assert ranking["customer"].tolist() == ["Late", "Many", "Few", "Old", "Unjudged"]
    assert ranking.set_index("customer").loc["Old", ["cases", "open_cases", "overdue"]].tolist(
    ) == [0, 1, 1]  # fmt: skip
    assert ranking["attainment"].tolist()[3:] == [None, None]
    assert ranking.set_index("customer").loc["Many", "dismissal_rate"] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("rate", "cases", "shown"),
    [
        (2 / 3, 3, "66.7% (only 3 cases)"),
        (1.0, 1, "100.0% (only 1 case)"),
        (0.9, 10, "90.0% (10 cases)"),  # ten is enough
        (0.5, 1234, "50.0% (1,234 cases)"),
        (None, 0, "-"),  # nothing judged: no rate, and no "None"
        (float("nan"), 0, "-"),
    ],
)
def test_a_rate_shows_its_cases_and_few_are_marked(rate, cases, shown):
    assert readable.rate(rate, cases) == shown


def test_resolution_verdicts_beside_the_previous_period(engine, tmp_path):
    raw = views.policy_document(POLICY)
    raw["severity"][0]["resolution_hours"] = 6
    policy = parse_policy(raw, source="resolution-targets.toml")
    db = fixture.import_into(engine, tmp_path, policy=policy)
    table = views.overview(db, policy, VIEW).severities.set_index("severity")
    # level 1 in 6 h: A01 (6 h exactly), G01, G02, G12 met; A02 (10 h), A03 (8 h) breached
    assert table.loc[1, ["resolution_target_hours", "resolution_met", "resolution_breached"]
                     ].tolist() == [6, 4, 2]  # fmt: skip
    assert table.loc[1, "resolution_attainment"] == pytest.approx(4 / 6)
    assert _same(table.loc[1, "previous_resolution_attainment"], None)  # nothing resolved then
    assert _same(table.loc[2, "resolution_target_hours"], None)  # level 2 has no target
    assert _same(table.loc[2, "resolution_attainment"], None)


def test_what_if_under_the_same_policy_changes_nothing(db):
    table = views.what_if(db, POLICY, POLICY, VIEW)
    for column in ("met", "breached", "attainment"):
        assert table[column].tolist() == table[f"what_if_{column}"].tolist()


def test_what_if_a_looser_urgent_target(db):
    document = views.policy_document(POLICY)
    document["severity"][0]["response_hours"] = 5
    looser = parse_policy(document, source="test")
    table = views.what_if(db, POLICY, looser, VIEW).set_index("name")
    assert table.loc["Urgent", "what_if_target_hours"] == 5
    # A02 took exactly 5 h: met under a 5 h target
    assert table.loc["Urgent", "what_if_met"] == table.loc["Urgent", "met"] + 1
    compared = whatif.compare(db, VIEW.scope(), POLICY, looser)
    assert table.loc["All", "what_if_met"] == compared.other.totals.met


def test_what_if_resolution_targets(db):
    same = views.what_if(db, POLICY, POLICY, VIEW)
    assert "resolution_attainment" not in same.columns  # neither policy sets a target
    assert same["resolution_median_hours"].tolist()[:4] == [5.5, 9.5, 3.0, 3.0]
    document = views.policy_document(POLICY)
    document["severity"][0]["resolution_hours"] = 6
    table = views.what_if(db, POLICY, parse_policy(document, source="test"), VIEW)
    urgent = table.set_index("name").loc["Urgent"]
    assert _same(urgent["resolution_target_hours"], None)
    assert urgent["what_if_resolution_target_hours"] == 6
    assert _same(urgent["resolution_attainment"], None)
    # A01 (6 h exactly), G01, G02, G12 met; A02 (10 h), A03 (8 h) breached
    assert urgent["what_if_resolution_attainment"] == pytest.approx(4 / 6)
    assert urgent["what_if_resolution_median_hours"] == urgent["resolution_median_hours"]


def test_the_policy_document_reads_back_as_the_same_policy():
    from dashboard.policy import load_policy

    histories = views.policy_document(POLICY)
    histories["severity"][0]["resolution_hours"] = 40
    histories["severity"][3]["resolution_hours"] = 0.5
    histories["scoring"] = {"severity": "highest"}
    histories["pauses"] = {"statuses": ["Awaiting User Info"]}
    with_histories = parse_policy(histories, source="histories")
    for policy in (POLICY, load_policy(), with_histories):
        again = parse_policy(views.policy_document(policy), source="again")
        assert again.fingerprint == policy.fingerprint
        assert again.severities == policy.severities
        assert again.scope == policy.scope
        assert again.attainment_goal == policy.attainment_goal
        assert (again.severity_rule, again.pause_statuses) == (
            policy.severity_rule, policy.pause_statuses)  # fmt: skip
    assert with_histories.severity(1).resolution_seconds == 40 * 3600


def test_closed_days_name_the_holidays():
    days = views.closed_days(POLICY, (2026, 2027)).set_index("date")
    assert days.loc[dt.date(2026, 12, 28), "name"].startswith("Boxing Day")
    assert days.loc[dt.date(2026, 4, 6), "name"] == "Easter Monday"
    assert views.closed_days(POLICY, (1800, 1801)).empty  # outside the holiday list: nothing


def test_filter_options_span_and_version(db, tmp_path):
    options = views.filter_options(db)
    assert options.customers == ("Acme", "Globex", "Initech")
    assert options.channels == ("email", "portal")
    assert views.data_span(db) == periods.Period(dt.date(2026, 2, 23), dt.date(2026, 3, 13))
    before = views.data_version(db)
    path = tmp_path / "again.csv"
    path.write_text(fixture.csv_text().replace("A01,", "Z01,"))
    import_prepared(db, [prepare_file(path, POLICY)], POLICY)
    assert views.data_version(db) != before


def test_an_empty_database(engine):
    assert views.data_span(engine) is None
    assert views.filter_options(engine) == views.FilterOptions()
    data = views.overview(engine, POLICY, VIEW)
    assert data.severities["cases"].tolist() == [0, 0, 0, 0]
    assert data.live_now.open == 0
    assert views.backlog_page(engine, POLICY, VIEW).queue.empty


def test_import_history_and_rejects(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        fixture.csv_text() + "X99,Acme,Enterprise,P9,2026-03-02 09:00,,,open,portal,,true\n"
    )
    [report] = import_prepared(db, [prepare_file(path, POLICY)], POLICY)
    history = views.import_history(db)
    assert history["id"].tolist()[0] == report.import_id  # newest first
    assert len(history) == 2
    assert history.iloc[0]["rejected"] == 1
    assert history["status"].tolist() == ["finished", "finished"]
    rejects = views.rejects_of_import(db, report.import_id)
    assert rejects["case_id"].tolist() == ["X99"]
    assert "level 9" in rejects.iloc[0]["reason"]


def test_formatting():
    assert readable.hours(4.5) == "4h 30m"
    assert readable.hours(None) == "-"
    assert readable.hours(float("nan")) == "-"
    assert readable.share(0.9473) == "94.7%"
    assert readable.share(None) == "-"
    assert readable.clock(86_400) == "24:00"
    assert np.isnan(float("nan"))


def test_the_mapping_used_names_the_column_of_each_field():
    from dashboard.importer.formats import format_by_name

    fmt = format_by_name("servicenow_rest")
    header = ["number", "priority", "opened_at", "resolved_at", "contact_type", "close_code"]
    table = views.mapping_used(fmt, header).set_index("field")["column"]
    assert table["case_id"] == "number"
    assert table["created_at"] == "opened_at"
    assert table["customer"] == "(not in this file)"


def test_counts_never_come_from_a_cut_list(db, monkeypatch):
    monkeypatch.setattr(views, "SHOWN_ROWS", 2)
    monkeypatch.setattr(views, "OLDEST_SHOWN", 1)
    overview = views.overview(db, POLICY, VIEW)
    assert (overview.overdue_now, overview.urgent_overdue_now, len(overview.urgent_overdue)) == (
        4, 2, 1,
    )  # fmt: skip
    assert overview.live_now.at_risk == 4
    backlog = views.backlog_page(db, POLICY, VIEW)
    assert len(backlog.queue) == 2
    assert backlog.queue_counts == views.QueueCounts(at_risk=4, breached=4, unanswered=9)
    data = views.attainment_page(db, POLICY, VIEW)
    assert len(data.breaches) == 2
    assert data.breaches_total == sum(1 for r in fixture.in_period() if r["status"] == "breached")


def test_a_long_backlog_is_weekly_and_ends_on_the_last_day(db):
    long = dataclasses.replace(
        VIEW, period=periods.Period(dt.date(2021, 1, 1), dt.date(2026, 3, 11))
    )
    backlog = views.backlog_page(db, POLICY, long).backlog
    days = sorted(set(backlog["day"]))
    assert days[-1] == dt.date(2026, 3, 11)  # a Wednesday: the period's last day is kept
    assert all(d.weekday() == 6 for d in days[:-1])


def test_a_trend_names_every_period_and_level_even_empty_ones():
    """Lines break across a period with nothing to judge instead of joining its neighbours
    (issue 15): the trend holds a row for it, with no case and no attainment."""
    trend = pd.DataFrame(
        {"period": ["2026-03-02"], "severity": [1], "met": [2], "breached": [1],
         "attainment": [2 / 3]}
    )  # fmt: skip
    D = dt.date
    view = views.View(Filters(), periods.Period(D(2026, 3, 4), D(2026, 3, 20)), fixture.AS_OF)
    full = views.every_period(trend, view, (1, 2))
    assert full[["period", "severity"]].values.tolist() == [
        ["2026-03-02", 1], ["2026-03-02", 2], ["2026-03-09", 1], ["2026-03-09", 2],
        ["2026-03-16", 1], ["2026-03-16", 2],
    ]  # fmt: skip
    empty = full[full["period"] == "2026-03-09"]
    assert empty["met"].tolist() == [0, 0]
    assert empty["attainment"].isna().all()
    assert views.period_labels(periods.Period(D(2025, 11, 20), D(2026, 2, 1)), "month") == [
        "2025-11", "2025-12", "2026-01", "2026-02"]  # fmt: skip
