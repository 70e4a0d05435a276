"""Sign-in end to end: a local OpenID Connect provider (tests/oidc_provider.py), the dashboard
started with [auth] in its secrets file and a roles file, and a real browser signing in as an
admin, a manager and an account user with one customer.

What each may see and do is read off the screen and the downloads: the account user cannot
reach another customer by editing the URL, cannot import, and their review pack holds their
customer alone; the admin's import records the admin's address. Needs chromium, as
tests/test_browser.py does (SLA_TEST_BROWSER=skip skips both).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dashboard.store import imports, open_database
from tests.oidc_provider import OidcProvider
from tests.test_browser import (
    CHROMIUM,
    SHOTS,
    _free_port,
    _settled,
    require_browser,
    running_dashboard,
    sample_database,
)

pytestmark = pytest.mark.slow  # a provider, a server and a browser: about a minute

ADMIN, MANAGER, ACCOUNT = "ana@example.com", "ben@example.com", "chloe@example.com"
STRANGER = "eve@example.com"
UNVERIFIED = "dan@example.com"  # listed as an admin, but the provider does not vouch for it
MINE, THEIRS = "Acme Payments", "Globex Retail"
ROLES = f"""
[people."{ADMIN}"]
role = "admin"
[people."{MANAGER}"]
role = "manager"
[people."{ACCOUNT}"]
role = "account"
customers = ["{MINE}"]
[people."{UNVERIFIED}"]
role = "admin"
"""
UPLOAD = (
    "case_id,customer,plan,severity,created_at,first_response_at,resolved_at,status,channel\n"
    "SSO-1,Signed In Co,Enterprise,P1,2026-03-10 09:00,2026-03-10 10:00,,open,portal\n"
)


@pytest.fixture(scope="module")
def signed_in_server(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("sign-in")
    url = sample_database(folder)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with OidcProvider(
        client_id="sla-dashboard",
        client_secret="test-secret",
        redirect_uris=(f"{base}/oauth2callback",),
        unverified=(UNVERIFIED,),
    ) as provider:
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "{base}/oauth2callback"\n'
            'cookie_secret = "a-long-random-string-for-the-test-cookie-signature"\n'
            'client_id = "sla-dashboard"\n'
            'client_secret = "test-secret"\n'
            f'server_metadata_url = "{provider.metadata_url}"\n',
            encoding="utf-8",
        )
        roles = folder / "access.toml"
        roles.write_text(ROLES, encoding="utf-8")
        env = {"SLA_DATABASE_URL": url, "SLA_ACCESS_PATH": str(roles), "SLA_REQUIRE_SIGN_IN": "1"}
        with running_dashboard(folder, env, "--server.address", "127.0.0.1",
                               "--secrets.files", str(secrets), port=port):  # fmt: skip
            yield base, url, provider


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"],
        )  # fmt: skip
        yield launched
        launched.close()


def sign_in(browser, base: str, email: str, *, shot: str | None = None):
    """A fresh browser profile (no cookie) signs in as `email` through the provider's page."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(base)
    _settled(page)
    button = page.get_by_role("button", name="Sign in", exact=True)
    expect(button).to_be_visible(timeout=30_000)
    assert page.locator("[data-testid='stMetricValue']").count() == 0  # nothing before sign-in
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / shot), full_page=True)
    button.click()
    page.wait_for_url(re.compile(r"/authorize\?"), timeout=30_000)
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(base) + r"/?(\?.*)?$"), timeout=30_000)
    _settled(page)
    return context, page


def sidebar_text(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def test_an_admin_signs_in_imports_and_is_recorded(signed_in_server, browser, tmp_path):
    from playwright.sync_api import expect

    base, url, _ = signed_in_server
    context, page = sign_in(browser, base, ADMIN, shot="sign-in.png")
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible(timeout=30_000)
    assert f"Signed in as {ADMIN} (admin)" in sidebar_text(page)
    page.goto(f"{base}/import")
    _settled(page)
    upload = tmp_path / "signed_in_upload.csv"
    upload.write_text(UPLOAD)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
    _settled(page)
    page.get_by_role("button", name=re.compile(r"^Import 1 file")).click()
    _settled(page)
    expect(page.get_by_text("Imported: signed_in_upload.csv (1 new")).to_be_visible(timeout=30_000)
    context.close()
    engine = open_database(url)
    with engine.connect() as connection:
        users = connection.execute(select(imports.c.user_name).order_by(imports.c.id)).scalars()
        assert list(users)[-1] == ADMIN  # the signed-in address, not "dashboard"
    engine.dispose()


def test_a_manager_sees_every_customer_and_cannot_import(signed_in_server, browser):
    from playwright.sync_api import expect

    base, _, _ = signed_in_server
    context, page = sign_in(browser, base, MANAGER)
    assert f"Signed in as {MANAGER} (manager)" in sidebar_text(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Customers" in nav
    assert "Import" not in nav
    page.goto(f"{base}/customers?account={THEIRS.replace(' ', '+')}")
    _settled(page)
    # waited for: on a loaded machine the figures can come after the run looked settled
    expect(page.get_by_text(f"{THEIRS}: attainment")).to_have_count(1, timeout=60_000)
    page.goto(f"{base}/import")
    _settled(page)
    assert page.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0
    context.close()


def test_an_account_user_sees_only_their_customer(signed_in_server, browser):
    from playwright.sync_api import expect

    base, _, _ = signed_in_server
    context, page = sign_in(browser, base, ACCOUNT)
    assert f"Signed in as {ACCOUNT} (account: {MINE})" in sidebar_text(page)
    assert "Import" not in page.locator("[data-testid='stSidebarNav']").inner_text()
    # Another customer asked for in the link: named in a warning, never shown.
    page.goto(f"{base}/customers?account={THEIRS.replace(' ', '+')}&period=All+time")
    _settled(page)
    expect(page.get_by_text("which the data does not have")).to_be_visible(timeout=30_000)
    assert page.get_by_text(f"{THEIRS}: attainment").count() == 0
    page.goto(f"{base}/?customer={THEIRS.replace(' ', '+')}&period=All+time")
    _settled(page)
    expect(page.get_by_text("which the data does not have")).to_be_visible(timeout=30_000)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert THEIRS not in main.replace(f"'{THEIRS}'", "")  # only the warning names it
    expect(page.locator("[data-testid='stMetricValue']").first).to_be_visible(timeout=60_000)
    # The import page is not theirs, even typed in.
    page.goto(f"{base}/import")
    _settled(page)
    assert page.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0
    # Their own customer's pack holds their customer alone.
    page.goto(f"{base}/customers?period=All+time")
    _settled(page)
    with page.expect_download(timeout=60_000) as pending:
        page.get_by_role("button", name="Review pack (HTML)").click()
    pack = pending.value.path().read_text(encoding="utf-8")
    assert MINE in pack
    assert "Globex" not in pack
    assert "Initech" not in pack
    page.screenshot(path=str(SHOTS / "signed-in-account.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("email", [STRANGER, UNVERIFIED])
def test_someone_unlisted_or_unverified_is_turned_away(signed_in_server, browser, email):
    from playwright.sync_api import expect

    base, _, provider = signed_in_server
    context, page = sign_in(browser, base, email)
    expect(page.get_by_text(f"You are signed in as {email}, who has no access")).to_be_visible(
        timeout=30_000
    )
    assert page.locator("[data-testid='stMetricValue']").count() == 0
    assert provider.signed_in[-1] == email
    context.close()


def test_the_app_asked_the_provider_as_a_real_one_requires(signed_in_server):
    """Every sign-in above went through a request with a nonce and PKCE S256, to the
    registered redirect URI (the provider refuses any other, so none reached a code)."""
    base, _, provider = signed_in_server
    assert provider.requests
    for asked in provider.requests:
        assert asked["nonce"]
        assert asked["code_challenge_method"] == "S256"
        assert asked["redirect_uri"] == f"{base}/oauth2callback"
        assert "email" in asked["scope"].split()
