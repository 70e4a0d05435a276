"""End to end in a real browser: start the server, open every page, upload a file, and read
the figures off the screen (Debian's chromium, driven by Playwright).

A screenshot of each page goes to build/screenshots/ (SLA_SCREENSHOTS overrides; the README's
come from `make screenshots`). CI installs chromium (.ci/run); elsewhere, without it, set
SLA_TEST_BROWSER=skip to skip this test explicitly rather than see it fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from dashboard.importer.prepare import prepare_file
from dashboard.importing import SAMPLE_EXPORT, import_prepared
from dashboard.policy import load_policy
from dashboard.store import open_database

pytestmark = pytest.mark.slow  # a real browser against a running dashboard: half a minute

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SLA_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SLA_SCREENSHOTS", ROOT / "build" / "screenshots"))
ARTIFACTS = ROOT / "build" / "review_pack"
PAGES = [
    ("", "Overview"),
    ("attainment", "SLA attainment"),
    ("backlog", "Backlog"),
    ("dismissals", "Scope and dismissals"),
    ("customers", "Customers"),
    ("reconciliation", "Reconciliation"),
    ("policy", "Policy"),
    ("import", "Import"),
    ("sources", "Data sources"),
]
UPLOAD = (
    "case_id,customer,plan,severity,created_at,first_response_at,resolved_at,status,channel\n"
    "WEB-1,Browser Co,Enterprise,P1,2026-03-10 09:00,2026-03-10 10:00,,open,portal\n"
    "WEB-2,Browser Co,Enterprise,P2,2026-03-10 09:00,2026-03-10 18:00,,open,portal\n"
)


def require_browser() -> None:
    """Skip on request (SLA_TEST_BROWSER=skip), fail without chromium: CI installs it."""
    if os.environ.get("SLA_TEST_BROWSER") == "skip":
        pytest.skip("SLA_TEST_BROWSER=skip: the browser test is skipped on request")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no browser at {CHROMIUM}: `apt-get install chromium` (CI does), or set "
                    "SLA_TEST_BROWSER=skip", pytrace=False)  # fmt: skip


def sample_database(folder: Path) -> str:
    """A SQLite file in `folder` holding the bundled sample; its URL."""
    url = f"sqlite:///{folder / 'cases.sqlite'}"
    engine = open_database(url)
    policy = load_policy()
    import_prepared(engine, [prepare_file(SAMPLE_EXPORT, policy)], policy, source="sample")
    engine.dispose()
    return url


@contextlib.contextmanager
def running_dashboard(folder: Path, env: dict[str, str], *args: str, port: int | None = None):
    """`streamlit run dashboard/app.py` with `env` added and `args` after the usual options,
    until the block ends; yields its base URL. Its output goes to folder/server.log."""
    port = port or _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
               "--server.headless", "true", "--server.port", str(port),
               "--browser.gatherUsageStats", "false", *args]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                                   stderr=subprocess.STDOUT)  # fmt: skip
        try:
            _wait_healthy(base, process, folder / "server.log")
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("browser")
    with running_dashboard(folder, {"SLA_DATABASE_URL": sample_database(folder)}) as base:
        yield base


def test_every_page_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for path, title in PAGES:
            page.goto(f"{server}/{path}?period=All+time")
            _settled(page)
            expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(
                timeout=30_000
            )
            assert page.locator("[data-testid='stException']").count() == 0, path
            if path == "":
                metric = page.locator("[data-testid='stMetricValue']")
                expect(metric).to_have_count(8, timeout=30_000)  # 4 levels, 4 live figures
                values = metric.all_inner_texts()
                assert all(re.fullmatch(r"\d+(\.\d)?%|\d+", v.strip()) for v in values), values
            if path == "reconciliation":  # the sample carries its helpdesk's verdicts
                expect(page.get_by_text("of the disagreements vanish if")).to_be_visible(
                    timeout=30_000
                )
            if path not in ("import", "policy", "sources"):
                chart = page.locator("[data-testid='stVegaLiteChart']").first
                expect(chart).to_be_visible(timeout=30_000)
                page.wait_for_timeout(500)  # let the charts finish drawing for the picture
            page.screenshot(path=str(SHOTS / f"{path or 'overview'}.png"), full_page=True)

        # A filter chosen on screen goes into the URL (a filtered view is a link), and the
        # link opens the same view on another page.
        page.goto(f"{server}/?period=All+time")
        _settled(page)
        everyone = page.locator("[data-testid='stMetricValue']").first.inner_text()
        page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
        page.get_by_role("option", name="Acme Payments").click()
        page.keyboard.press("Escape")
        _settled(page)
        page.wait_for_url(re.compile(r"customer=Acme\+Payments"), timeout=30_000)
        link = page.url
        assert page.locator("[data-testid='stMetricValue']").first.inner_text() != everyone
        page.goto(link.replace(server + "/", server + "/customers"))
        _settled(page)
        expect(
            page.locator("[data-testid='stSidebar']").get_by_text("Acme Payments")
        ).to_be_visible()

        # The customer's review pack, as the account team downloads it.
        with page.expect_download(timeout=60_000) as pending:
            page.get_by_role("button", name="Review pack (PDF)").click()
        pdf = pending.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
        assert pending.value.suggested_filename.startswith("review-acme-payments-")
        # ...with our verdicts beside the helpdesk's (the sample carries the helpdesk's own)
        page.get_by_text("Add our verdicts beside the helpdesk's").click()
        _settled(page)
        with page.expect_download(timeout=60_000) as pending:
            page.get_by_role("button", name="Review pack (HTML)").click()
        html = pending.value.path().read_text(encoding="utf-8")
        assert 'id="reconciliation-matrix"' in html

        # Upload a file, import it, and see it in the history.
        page.goto(f"{server}/import")
        _settled(page)
        upload = tmp_path / "browser_upload.csv"
        upload.write_text(UPLOAD)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
        _settled(page)
        expect(page.get_by_text("2 cases accepted")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name=re.compile(r"^Import 1 file")).click()
        _settled(page)
        expect(page.get_by_text("Imported: browser_upload.csv (2 new")).to_be_visible(
            timeout=30_000
        )
        page.screenshot(path=str(SHOTS / "import-done.png"), full_page=True)
        browser.close()
    assert not errors, errors


def _settled(page, timeout: float = 60_000) -> None:
    """Wait until the app has finished its run: no "running" status or spinner for a whole
    second (either can appear a moment after the page loads)."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    quiet = 0
    while quiet < 4 and time.monotonic() < deadline:
        # a cached figure's "Computing..." spinner can show before the status widget does
        running = page.locator("[data-testid='stStatusWidget'], [data-testid='stSpinner']").count()
        quiet = 0 if running else quiet + 1
        page.wait_for_timeout(250)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited: {log.read_text()[-2000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit did not answer within 60 s: {log.read_text()[-2000:]}")


def test_the_html_review_pack_prints_on_a4(tmp_path):
    """The HTML pack opened and printed by the browser: A4 pages, no request made."""
    require_browser()
    import pypdfium2
    from playwright.sync_api import sync_playwright

    from dashboard.review import content, to_html

    engine = open_database(sample_database(tmp_path))
    policy = load_policy()
    as_of = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    pack = content.build(engine, policy, "Acme Payments", content.default_period(as_of, policy),
                         as_of)  # fmt: skip
    engine.dispose()
    page_file = tmp_path / "pack.html"
    page_file.write_text(to_html.render(pack), encoding="utf-8")
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        printed = page.pdf(format="A4", print_background=True)
        browser.close()
    assert requests == [page_file.as_uri()]  # the file itself, nothing else
    document = pypdfium2.PdfDocument(printed)
    assert len(document) >= 2
    width, height = document[0].get_size()
    assert width == pytest.approx(595.3, abs=1.5)  # A4: 210 x 297 mm in points
    assert height == pytest.approx(841.9, abs=1.5)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Support review: Acme Payments" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number in range(len(document)):
        document[number].render(scale=1.2).to_pil().save(ARTIFACTS / f"printed-{number + 1}.png")
    document.close()


def test_a_customer_named_like_an_address_is_no_link_on_screen(tmp_path):
    """Issue 13: Streamlit's markdown made a link of a customer named like a web address, on
    the Customers page (its metric label, captions): read off the rendered page, not the
    markdown source."""
    if os.environ.get("SLA_TEST_BROWSER") == "skip":
        pytest.skip("SLA_TEST_BROWSER=skip: the browser test is skipped on request")
    from playwright.sync_api import expect, sync_playwright

    linky = "https://evil.example/x"
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    export = tmp_path / "linky.csv"
    export.write_text(
        "case_id,customer,plan,severity,created_at,first_response_at,channel\n"
        f"W1,{linky},www.evil.example,P1,2026-03-03 10:00,2026-03-03 16:00,portal\n"
    )
    engine = open_database(url)
    policy = load_policy()
    import_prepared(engine, [prepare_file(export, policy)], policy)
    engine.dispose()
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
               "--server.headless", "true", "--server.port", str(port),
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    log = (tmp_path / "server.log").open("w")
    env = {**os.environ, "SLA_DATABASE_URL": url}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    query = urllib.parse.urlencode({"period": "All time", "account": linky})
    try:
        _wait_healthy(base, process, tmp_path / "server.log")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu",
                      "--disable-background-networking"],
            )  # fmt: skip
            page = browser.new_page()
            for path in ("customers", "", "dismissals"):
                page.goto(f"{base}/{path}?{query}")
                _settled(page)
                expect(page.locator("h1").first).to_be_visible(timeout=30_000)
                assert page.locator("[data-testid='stException']").count() == 0, path
                links = page.eval_on_selector_all(
                    "[data-testid='stMain'] a, [data-testid='stSidebar'] a",
                    "found => found.map(a => a.href)",
                )
                assert [h for h in links if not h.startswith(base)] == [], path
                if path == "customers":
                    label = page.locator("[data-testid='stMetricLabel']").first.inner_text()
                    assert label.replace("\u2060", "") == f"{linky}: attainment"
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
