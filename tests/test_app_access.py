"""Sign-in and roles on the pages (AppTest): with [auth] configured, visitors sign in; the
roles file decides what each sees and may do; without [auth] the app is one person's and
says so. The browser test signs in for real against a local OpenID Connect provider."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from dashboard import readable, views
from dashboard.store import activity, cases, imports
from tests import analytics_fixture as fixture
from tests.test_app import (
    APP,
    FIXTURE_URL,
    KNOWN,
    PAGES,
    POLICY,
    UNKNOWN,
    VIEW,
    assert_clean,
    map_by_hand,
    metrics,
    open_app,
    plain,
)

pytestmark = pytest.mark.slow  # pages through AppTest

AUTH = {  # what st.login would need; AppTest never calls the provider
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a test secret long enough for the cookie signature",
    "client_id": "sla-dashboard",
    "client_secret": "not a secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ROLES = """
[people."ana@example.com"]
role = "admin"
[people."ben@example.com"]
role = "manager"
[people."chloe@example.com"]
role = "account"
customers = ["Acme"]
"""


@pytest.fixture
def db(db, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SLA_DATABASE_URL", database_url)
    monkeypatch.delenv("SLA_POLICY_PATH", raising=False)
    roles = tmp_path / "access.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("SLA_ACCESS_PATH", str(roles))
    return db


def open_as(email: str | None, page: str = "overview", *, verified=True, **params) -> AppTest:
    """The app with sign-in configured, as `email` signed in (None: an anonymous visitor)."""
    claims = {"is_logged_in": True, "email": email, "email_verified": verified}
    if verified is None:  # the claim left out, as Microsoft Entra ID does
        del claims["email_verified"]
    user = {"is_logged_in": False} if email is None else claims
    return open_app(page, auth=AUTH, user=user, **params)


def shown_text(app: AppTest) -> str:
    """Everything the page shows: text, tables, metrics, widgets' options."""
    parts = [str(e.value) for kind in ("markdown", "caption", "title", "subheader", "code",
                                       "info", "warning", "error", "success") for e in
             getattr(app, kind)]  # fmt: skip
    parts += [f.value.to_csv() for f in app.dataframe]
    parts += [f"{m.label} {m.value}" for m in app.metric]
    parts += [" ".join(map(str, w.options)) for w in [*app.selectbox, *app.multiselect]]
    return " ".join(parts)


def test_an_anonymous_visitor_sees_only_the_sign_in(db):
    app = open_as(None)
    assert_clean(app)
    assert [b.label for b in app.button] == ["Sign in"]
    assert not app.metric
    assert not app.dataframe
    assert not app.sidebar.multiselect
    assert "Acme" not in shown_text(app)


def test_named_providers_get_a_button_each(db):
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.secrets["auth"] = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": "x" * 32,
        "client_kwargs": {"prompt": "login"},  # a setting, not a provider
        "google": {"client_id": "g"},
        "microsoft": {"client_id": "m"},
    }
    app.user = {"is_logged_in": False}
    app.run()
    assert [b.label for b in app.button] == ["Sign in with Google", "Sign in with Microsoft"]


@pytest.mark.parametrize(("email", "verified"), [("dan@example.com", True),
                                                 ("ana@example.com", False),
                                                 ("ana@example.com", None),
                                                 ("ana@example.com", "true")])  # fmt: skip
def test_someone_signed_in_without_access_is_turned_away(db, email, verified):
    """Unlisted, or listed but the provider does not vouch for the address (email_verified
    false, missing, or the text "true")."""
    app = open_as(email, verified=verified)
    assert not app.exception
    assert f"You are signed in as {email}, who has no access" in plain(app.error[0])
    assert "access.toml" in plain(app.error[0])
    assert [b.label for b in app.button] == ["Sign out"]
    assert not app.metric
    assert not app.dataframe


def test_an_invalid_roles_file_lets_nobody_in_and_logs_why(db, tmp_path, caplog):
    (tmp_path / "access.toml").write_text(
        '[people."ana@example.com"]\nrole = "owner"\n[people."ben@example.com"]\nrole = "manager"\n'
    )
    app = open_as("ben@example.com")
    assert not app.exception
    shown = plain(app.error[0])
    assert "roles file has a mistake, so nobody can be let in" in shown
    assert "ana@example.com" not in shown  # other people's entries are not shown to visitors
    assert not app.metric
    assert "role = 'owner' is not one of admin" in caplog.text  # the admin reads it in the log


@pytest.mark.parametrize("page", [p for p in PAGES if p != "import"])
def test_an_account_user_sees_only_their_customer_on_every_page(db, page):
    app = open_as("chloe@example.com", page)
    assert_clean(app)
    text = shown_text(app)
    assert "Globex" not in text, page
    assert "Initech" not in text, page
    assert "G01" not in text, page
    assert app.sidebar.multiselect(key="customer").options == ["Acme"]
    assert "Signed in as `chloe@example.com` (account: Acme)" in plain(app.sidebar.caption[-1])


def test_an_account_users_figures_are_their_customers(db):
    app = open_as("chloe@example.com")
    acme = views.overview(db, POLICY, VIEW.narrowed(customers=("Acme",)))
    table = next(f.value for f in app.dataframe if "Cases (previous)" in f.value.columns)
    shown = sum(int(c.split()[0]) for c in table["Cases (previous)"])
    assert shown == acme.severities["cases"].sum()
    everyone = views.overview(db, POLICY, VIEW)
    assert shown < everyone.severities["cases"].sum()


@pytest.mark.parametrize(
    ("page", "params"),
    [("overview", {"customer": "Globex"}), ("customers", {"account": "Globex"}),
     ("overview", {"customer": ["Acme", "Globex"]})],
)  # fmt: skip
def test_an_account_user_cannot_reach_another_customer_by_editing_the_url(db, page, params):
    app = open_as("chloe@example.com", page, **params)
    assert not app.exception
    assert "Globex" not in shown_text(app).replace("'Globex'", "")  # only the warning names it
    assert any("which the data does not have" in plain(w) for w in app.warning)


def test_an_account_user_cannot_open_another_customers_ledger(db):
    app = open_as("chloe@example.com", "attainment")
    app.text_input(key="ledger_any").set_value("G02").run()
    assert not app.exception
    assert "no case 'G02'" in plain(app.error[0])  # as if it had never been stored
    assert not app.code
    app.text_input(key="ledger_any").set_value("A02").run()
    assert "breached" in app.code[0].value


def _pages(app: AppTest) -> list[str]:
    return sorted(str(p.get("url_pathname")) for p in app._registered_pages.values())


@pytest.mark.parametrize("email", ["ben@example.com", "chloe@example.com"])
def test_only_an_admin_may_import(db, email):
    app = open_as(email, "overview")
    assert not app.exception
    assert "import" not in _pages(app)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGES["import"])
    assert "import" in _pages(open_as("ana@example.com"))


def test_the_import_page_run_without_a_signed_in_person_refuses(db):
    page = AppTest.from_file(str(APP.parent / PAGES["import"]), default_timeout=60)
    page.run()
    assert not page.exception
    assert not page.file_uploader
    assert "nobody is signed in" in plain(page.error[0])


def test_an_admin_imports_and_the_import_records_who(db):
    app = open_as("ana@example.com", "import")
    assert_clean(app)
    app.file_uploader[0].upload("new_cases.csv", KNOWN.encode(), "text/csv").run()
    app.button(key="import").click().run()
    assert_clean(app)
    with db.connect() as connection:
        users = connection.execute(select(imports.c.user_name).order_by(imports.c.id)).scalars()
        assert list(users)[-1] == "ana@example.com"
    assert "ana@example.com" in app.dataframe[-1].value.to_csv() or any(
        "ana@example.com" in d.value.to_csv() for d in app.dataframe
    )


def test_a_format_saved_by_an_admin_records_who(db, user_formats_dir):
    app = open_as("ana@example.com", "import")
    app.file_uploader[0].upload("helpdesk.csv", UNKNOWN.encode(), "text/csv").run()
    map_by_hand(app, customer="Client")
    app.checkbox(key="save_formats").check()
    app.button(key="import").click().run()
    assert_clean(app)
    [path] = user_formats_dir.glob("*.toml")
    assert "# Saved by ana@example.com on " in path.read_text()
    shown = " ".join(plain(i) for i in app.info)
    assert f"Saved the mapping as the format '{path.stem}'" in shown
    assert str(user_formats_dir) not in shown  # no server path shown to a visitor
    with db.connect() as connection:
        rows = connection.execute(select(activity.c.user_name, activity.c.action,
                                         activity.c.detail)).all()  # fmt: skip
    assert rows == [("ana@example.com", "save_format", f"saved {path.name}")]


def _stale_policy(tmp_path, monkeypatch):
    from dashboard.policy import DEFAULT_POLICY_PATH

    edited = tmp_path / "policy.toml"
    edited.write_text(
        DEFAULT_POLICY_PATH.read_text().replace("response_hours = 4\n", "response_hours = 5\n")
    )
    monkeypatch.setenv("SLA_POLICY_PATH", str(edited))


def test_only_an_admin_may_rescore_and_the_rescore_records_who(db, tmp_path, monkeypatch):
    _stale_policy(tmp_path, monkeypatch)
    manager = open_as("ben@example.com")
    assert "computed under other rules" in plain(manager.warning[0])
    assert not [b for b in manager.button if b.key == "recompute"]
    assert any("An admin can re-score them" in c.value for c in manager.caption)
    admin = open_as("ana@example.com")
    admin.button(key="recompute").click().run()
    assert_clean(admin)
    with db.connect() as connection:
        rows = connection.execute(select(activity.c.user_name, activity.c.action)).all()
    assert rows == [("ana@example.com", "recompute")]
    assert metrics(admin)["L1 Urgent · 5h 00m target"] == readable.share(6 / 7)


def test_a_manager_sees_every_customer_read_only(db):
    app = open_as("ben@example.com", "customers", account="Globex")
    assert_clean(app)
    assert app.sidebar.multiselect(key="customer").options == ["Acme", "Globex", "Initech"]
    assert "Globex: attainment" in metrics(app)


def test_without_sign_in_every_page_says_so(db, monkeypatch):
    monkeypatch.delenv("SLA_ACCESS_PATH")
    for page in PAGES:
        app = open_app(page)
        assert_clean(app)
        assert "Sign-in is off" in app.sidebar.caption[-1].value, page


def test_without_sign_in_a_visitor_from_another_machine_is_turned_away(db, monkeypatch):
    from streamlit.runtime.context import ContextProxy

    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: "203.0.113.9"))
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert not app.exception
    assert "open only to a browser on the machine it runs on" in app.error[0].value
    assert not app.metric
    assert not app.dataframe


def test_secrets_named_but_unreadable_keep_everyone_out(db, monkeypatch, tmp_path):
    from streamlit import config

    missing = tmp_path / "k8s-secrets"  # named by hand (--secrets.files), not there
    real_get, real_set = config.get_option, config.is_manually_set
    monkeypatch.setattr(config, "get_option", lambda key: [str(missing)]
                        if key == "secrets.files" else real_get(key))  # fmt: skip
    monkeypatch.setattr(config, "is_manually_set",
                        lambda key: key == "secrets.files" or real_set(key))  # fmt: skip
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert not app.exception
    assert "k8s-secrets: the secrets cannot be read" in plain(app.error[0])
    assert not app.metric


def test_a_server_that_requires_sign_in_refuses_to_run_without_it(db, monkeypatch):
    monkeypatch.setenv("SLA_REQUIRE_SIGN_IN", "1")
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert "SLA_REQUIRE_SIGN_IN is set" in app.error[0].value
    assert not app.metric
    assert not app.dataframe


def test_the_fixture_period_is_the_one_the_app_shows():
    assert FIXTURE_URL["from"] == fixture.PERIOD[0].isoformat()
    assert os.path.exists(APP)


def test_only_an_admin_removes_a_source_and_it_is_recorded_as_them(db):
    """Data sources: everyone sees the sources (an account user, their customers' cases and
    no import lines); only an admin may remove one, after typing its name (issue 15)."""
    manager = open_as("ben@example.com", "sources")
    assert_clean(manager)
    assert not [s for s in manager.selectbox if s.key == "remove_source"]
    account = open_as("chloe@example.com", "sources")
    listed = next(f.value for f in account.dataframe if "Source" in f.value.columns)
    assert "Imports" not in listed.columns  # imports span customers
    assert listed["Cases"].sum() < 43  # Acme's only
    admin = open_as("ana@example.com", "sources")
    admin.selectbox(key="remove_source").set_value("canonical").run()
    assert admin.button(key="remove").disabled  # until the name is typed
    admin.text_input(key="remove_confirm").set_value("canonical").run()
    admin.button(key="remove").click().run()
    assert_clean(admin)
    assert "Removed the source 'canonical': 43 case(s)" in plain(admin.success[0])  # all periods
    assert "No case stored yet" in plain(admin.info[0])  # the page drawn again without it
    with db.connect() as connection:
        left = connection.execute(select(func.count()).select_from(cases)).scalar_one()
        who = connection.execute(select(activity.c.user_name, activity.c.action)).all()
    assert left == 0
    assert who == [("ana@example.com", "remove_source")]


def test_an_admin_removes_one_import_from_the_page(db, tmp_path):
    from dashboard.importer.prepare import prepare_file
    from dashboard.importing import import_prepared

    extra = tmp_path / "extra.csv"
    extra.write_text("case_id,customer,severity,created_at,first_response_at\n"
                     "X01,Acme,P1,2026-03-03 09:00,2026-03-03 10:00\n")  # fmt: skip
    [report] = import_prepared(db, [prepare_file(extra, POLICY)], POLICY)
    admin = open_as("ana@example.com", "sources")
    admin.selectbox(key="remove_import").set_value(report.import_id).run()
    admin.text_input(key="remove_import_confirm").set_value(str(report.import_id)).run()
    admin.button(key="remove_import_button").click().run()
    assert_clean(admin)
    assert f"Removed import {report.import_id} (extra.csv" in plain(admin.success[0])
    with db.connect() as connection:
        ids = connection.execute(select(cases.c.case_id).where(cases.c.case_id == "X01")).all()
    assert ids == []
