"""A person's customer scope (access.Person.scope, carried in queries.Filters.scope) holds in
every query: an account user's figures are those of their customers alone, on SQLite and
PostgreSQL, whatever else the filters (a page, a link) ask for."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from dashboard import activity, periods, queries, views
from dashboard.errors import DashboardError
from dashboard.explain import case_history, find_case
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.queries import Filters
from dashboard.recompute import recompute_stored
from dashboard.review import content, packs
from tests import analytics_fixture as fixture
from tests.helpers import vendor_policy

POLICY = vendor_policy()
PERIOD = periods.Period(*fixture.PERIOD)
ACME = ("Acme",)
# Queries that read no case and no customer: the cache key and a yes/no about histories.
UNSCOPED = {"data_version", "histories_stored"}


def view(**filters) -> views.View:
    return views.View(Filters(**filters), PERIOD, fixture.AS_OF)


def test_every_query_that_reads_cases_takes_the_scope():
    for name in queries.names():
        for dialect in ("sqlite", "postgresql"):
            sql = queries.load(name, dialect).sql
            if name in UNSCOPED:
                assert "customer" not in sql, name
            else:
                assert ":all_scope" in sql, f"{name}.sql ignores the person's customer scope"


def test_an_empty_scope_sees_nothing_and_no_scope_sees_everything():
    assert Filters(scope=()).params()["all_scope"] is False
    assert Filters(scope=()).params()["scope"] == [""]  # matches no stored customer
    assert Filters().params()["all_scope"] is True


def _text(value) -> str:
    """Everything a figure holds, as text (frames, dataclasses, nested)."""
    if isinstance(value, pd.DataFrame):
        return value.to_csv()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return " ".join(_text(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict | list | tuple):
        items = value.items() if isinstance(value, dict) else value
        return " ".join(_text(v) for v in items)
    return str(value)


def test_scoped_figures_equal_the_customer_filter_and_name_no_one_else(db):
    scoped = view(scope=ACME)
    chosen = view(customers=ACME)
    for figure in (views.overview, views.attainment_page, views.backlog_page, views.scope_page):
        mine = figure(db, POLICY, scoped)
        assert _text(mine) == _text(figure(db, POLICY, chosen)), figure.__name__
        assert "Globex" not in _text(mine), figure.__name__
        assert "G01" not in _text(mine), figure.__name__
    # A link asking for another customer on top of the scope gets nothing, not Globex.
    both = views.overview(db, POLICY, view(scope=ACME, customers=("Globex",)))
    assert both.severities["cases"].sum() == 0


def test_an_account_user_compares_their_customer_with_their_own_customers_only(db):
    page = views.customer_page(db, POLICY, view(scope=ACME), "Acme")
    assert page.everyone.totals == page.theirs.totals  # "all" is all they may see
    other = views.customer_page(db, POLICY, view(scope=ACME), "Globex")
    assert other.theirs.totals.cases == 0
    assert "G0" not in _text(other)
    assert other.open_cases.empty
    assert other.overdue == 0


def test_the_customer_ranking_names_only_the_customers_one_may_see(db):
    mine = views.customer_ranking(db, POLICY, view(scope=ACME))
    assert mine["customer"].tolist() == ["Acme"]
    assert _text(mine) == _text(views.customer_ranking(db, POLICY, view(customers=ACME)))
    # P02 is Globex's, open and overdue since February: not counted under Acme's scope
    assert mine["overdue"].tolist() == [1]
    assert views.customer_ranking(db, POLICY, view(scope=())).empty
    assert views.customer_ranking(db, POLICY, view(scope=ACME, customers=("Globex",))).empty


def test_lists_spans_history_and_rejects_within_the_scope(db, tmp_path):
    assert views.filter_options(db, ACME).customers == ACME
    assert views.filter_options(db, ACME).plans == ("Enterprise",)
    assert views.filter_options(db, ("Nobody",)) == views.FilterOptions()
    assert views.data_span(db, ("Nobody",)) is None
    path = tmp_path / "bad.csv"
    path.write_text(
        fixture.csv_text()
        + "X98,Acme,Enterprise,P9,2026-03-02 09:00,,,open,portal,,true\n"
        + "X99,Globex,Business,P9,2026-03-02 09:00,,,open,portal,,true\n"
    )
    [report] = import_prepared(db, [prepare_file(path, POLICY)], POLICY)
    assert len(views.import_history(db)) == 2
    assert views.import_history(db, ACME).empty  # imports span customers: managers and admins
    second = report.import_id
    assert views.rejects_of_import(db, second)["case_id"].tolist() == ["X98", "X99"]
    assert views.rejects_of_import(db, second, ACME)["case_id"].tolist() == ["X98"]
    recompute_stored(db, POLICY, everything=True, user="ana@example.com")
    assert activity.recent(db)["user_name"].tolist() == ["ana@example.com"]
    detail = activity.recent(db)["detail"][0]
    assert detail.startswith("43 case(s) re-scored under test-policy.toml (rules ")
    assert activity.recent(db, ACME).empty


def test_a_case_of_another_customer_is_as_absent_as_one_never_stored(db):
    assert find_case(db, "G01")["customer"] == "Globex"
    with pytest.raises(DashboardError, match="no case 'G01'"):
        find_case(db, "G01", scope=ACME)
    case = find_case(db, "A01", scope=ACME)
    assert case_history(db, case, scope=ACME) is None  # one row per case: no events


def test_the_what_if_of_an_account_user_counts_their_cases(db):
    stricter = dataclasses.replace(POLICY, name="stricter")
    mine = views.what_if(db, POLICY, stricter, view(scope=ACME))
    assert _text(mine) == _text(views.what_if(db, POLICY, stricter, view(customers=ACME)))


def test_a_pack_outside_the_scope_is_refused_like_an_unknown_customer(db):
    with pytest.raises(DashboardError, match="no case names the customer 'Globex'"):
        content.build(db, POLICY, "Globex", PERIOD, fixture.AS_OF, scope=ACME)
    pack = content.build(db, POLICY, "Acme", PERIOD, fixture.AS_OF, scope=ACME)
    html = packs.render(pack, "html").decode()
    assert "Acme" in html
    assert "Globex" not in html
    assert "G01" not in html
