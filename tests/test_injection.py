"""Data never acts as code: SQL-shaped values through every filter of every page's figures
(both databases), markup-shaped text on every page, and production settings that keep the
browser-side protections on."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import periods, ui, views
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.policy import load_policy
from dashboard.queries import Filters
from dashboard.store import cases, open_database
from tests import analytics_fixture as fixture

pytestmark = pytest.mark.slow  # hostile values through every filter and every page (AppTest)

ROOT = Path(__file__).resolve().parent.parent
POLICY = load_policy()
SQL = ["x' OR '1'='1", "'); DROP TABLE cases; --", "1; DELETE FROM imports", '" OR ""="']
MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)> ![t](http://example.invalid/t)"
PAGES = ("overview", "attainment", "backlog", "dismissals", "customers", "import", "policy")


@pytest.fixture
def db(engine, tmp_path):
    """The fixture cases and one more whose customer and channel are SQL-shaped."""
    extra = (
        f'Q01,"{SQL[0]}",Enterprise,P1,2026-03-03 10:00,2026-03-03 11:00,,open,"{SQL[1]}",,true\n'
    )
    return fixture.import_into(engine, tmp_path, extra=extra, policy=POLICY)


def _count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(cases)).scalar_one()


@pytest.mark.parametrize("value", SQL)
def test_sql_shaped_values_through_every_filter_are_only_values(db, value):
    before = _count(db)
    period = periods.Period(*fixture.PERIOD)
    ours = {"customer": int(value == SQL[0]), "channel": int(value == SQL[1])}
    for filters, expected in (
        (Filters(customers=(value,)), ours["customer"]),
        (Filters(channels=(value.lower(),)), ours["channel"]),  # channels are kept lower-case
        (Filters(plans=(value,)), 0),
        (Filters(customers=(value, "Acme")), 16 + ours["customer"]),  # Acme: 16 in the period
    ):
        view = views.View(filters, period, fixture.AS_OF)
        overview = views.overview(db, POLICY, view)
        assert overview.now.totals.cases == expected, filters
        views.attainment_page(db, POLICY, view)
        views.backlog_page(db, POLICY, view)
        views.scope_page(db, POLICY, view)
        views.customer_page(db, POLICY, view, value)
    assert _count(db) == before  # nothing ran as SQL


def test_a_sql_shaped_customer_is_found_as_itself(db):
    view = views.View(Filters(customers=(SQL[0],)), periods.Period(*fixture.PERIOD), fixture.AS_OF)
    assert views.overview(db, POLICY, view).now.totals.cases == 1
    assert SQL[0] in views.filter_options(db).customers
    assert SQL[1].lower() in views.filter_options(db).channels


@pytest.mark.parametrize("page", PAGES)
def test_markup_in_the_data_is_text_on_every_page(tmp_path, monkeypatch, page):
    """(Rendering does not depend on the database: SQLite here, the figures on both.)"""
    from tests.test_app import open_app

    database_url = f"sqlite:///{tmp_path / 'markup.sqlite'}"
    engine = open_database(database_url)
    path = tmp_path / "markup.csv"
    path.write_text(
        "case_id,customer,plan,severity,created_at,first_response_at,channel,subject\n"
        f'M01,"{MARKUP}","{MARKUP}",P1,2026-03-03 10:00,2026-03-03 16:00,"{MARKUP}","{MARKUP}"\n'
    )
    import_prepared(engine, [prepare_file(path, POLICY)], POLICY)
    engine.dispose()
    monkeypatch.setenv("SLA_DATABASE_URL", database_url)
    app = open_app(page, account=MARKUP)
    assert not app.exception
    texts = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success")
             for e in app.get(kind)]  # fmt: skip
    texts += [m.label for m in app.metric]
    for text in texts:
        # markdown shows these characters as written only when escaped
        assert not re.search(r"(?<!\\)<(script|img)", text), text
        assert not re.search(r"(?<!\\)!\[", text), text


# Text that reads like a web address: Streamlit's markdown (GitHub's dialect) made each a link.
# (E-mail addresses stay mailto: links, deliberately: ui.escaped says why.)
LINKS = ["https://evil.example/x", "www.evil.example", "[x](http://evil.example/y)",
         "HTTP://EVIL.EXAMPLE", "<https://evil.example/z>"]  # fmt: skip
# What the dashboard's markdown turns into web links, as its frontend finds them (the GFM
# autolink rules, run on the text once escapes are read): an address after start, space or
# punctuation.
AUTOLINK = re.compile(r"(?i)(?:^|[\s\W])(?:https?://|www\.)[-.\w]+")


def autolinks(markdown: str) -> list[str]:
    """The addresses a markdown text would link: escapes read first, as the renderer does."""
    return AUTOLINK.findall(re.sub(r"\\(.)", r"\1", markdown))


def test_the_autolink_check_finds_what_the_renderer_links():
    for text in LINKS:
        assert autolinks(text), text
        assert autolinks(re.sub(r"([.:\[\]()<>])", r"\\\1", text)), text  # escaping: no help
        assert not autolinks(ui.escaped(text)), text
    assert not autolinks("Acme Payments: 10:00 a.m., e.g. evil.example")


@pytest.mark.parametrize("page", PAGES)
def test_link_like_text_is_no_link_on_any_page(tmp_path, monkeypatch, page):
    """Issue 13: a customer named "https://evil.example/x" was a link on the Customers page
    (and any text of the data shown through markdown could be)."""
    from tests.test_app import open_app, plain

    database_url = f"sqlite:///{tmp_path / 'links.sqlite'}"
    engine = open_database(database_url)
    path = tmp_path / "links.csv"
    rows = [f'L{i},"{text}","{text}",P1,2026-03-03 10:00,2026-03-03 16:00,"{text}","{text}"\n'
            for i, text in enumerate(LINKS)]  # fmt: skip
    path.write_text("case_id,customer,plan,severity,created_at,first_response_at,channel,"
                    "subject\n" + "".join(rows))  # fmt: skip
    import_prepared(engine, [prepare_file(path, POLICY)], POLICY)
    engine.dispose()
    monkeypatch.setenv("SLA_DATABASE_URL", database_url)
    app = open_app(page, account=LINKS[0])
    assert not app.exception
    texts = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success")
             for e in app.get(kind)]  # fmt: skip
    texts += [m.label for m in app.metric]
    for text in texts:
        assert not autolinks(text), text
    if page == "customers":  # the name is shown, as written
        assert plain(app.metric[0].label) == f"{LINKS[0]}: attainment"


def test_production_settings_keep_the_protections_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["client"]["showErrorDetails"] == "type"  # no tracebacks for viewers
    assert config["client"]["disableDataExport"] is True  # only our neutralising download
    assert config["server"]["maxUploadSize"] <= 200
    assert config["server"]["address"] == "127.0.0.1"  # one person's, until sign-in is set up
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "**/.streamlit/secrets.toml" in ignored  # wherever Streamlit reads one from
