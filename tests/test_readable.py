"""One spelling of durations, shares and instants, and the same case reading the same on every
surface: the pages, the review pack (HTML, PDF and XLSX text) and the terminal (issue #11: a
20-second overshoot read "0h 00m" on a page, "20s" in the pack and "0:00:20" in the CLI)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
import pypdfium2
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import periods, readable
from dashboard.cli import main
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.review import content, packs
from dashboard.store import opened
from tests.helpers import LONDON, vendor_policy

POLICY = vendor_policy()
ROOT = Path(__file__).resolve().parent.parent

# -- the formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        # under a minute: seconds, never "0m"
        (0, "0s"),
        (20, "20s"),
        (59, "59s"),
        # under an hour: minutes, seconds when there are some
        (60, "1m"),
        (3599, "59m 59s"),
        # hours: minutes always two digits, seconds when there are some
        (3600, "1h 00m"),
        (16200, "4h 30m"),
        (7517, "2h 05m 17s"),
        # days of business time stay hours: a business day is not 24 of them
        (140_405, "39h 00m 05s"),
        (361_800, "100h 30m"),
        # signed: a remaining time past its deadline
        (-1800, "-30m"),
        (-20, "-20s"),
        # fractions round to the nearest second (a median between two ranks)
        (19.6, "20s"),
        (3599.4, "59m 59s"),
        (None, "-"),
        (float("nan"), "-"),
    ],
)
def test_duration(seconds, shown):
    assert readable.duration(seconds) == shown


def test_hours_share_clock_and_instants():
    assert readable.hours(4.5) == "4h 30m"
    assert readable.hours(20 / 3600) == "20s"  # float hours that are whole seconds stay whole
    assert readable.hours(None) == "-"
    assert readable.share(0.9473) == "94.7%"
    assert readable.share(float("nan")) == "-"
    assert readable.clock(9 * 3600) == "09:00"
    summer = dt.datetime(2026, 6, 12, 11, 21, 12, tzinfo=dt.UTC)  # 12:21:12 BST
    assert readable.instant(summer, LONDON) == "Fri 12 Jun 2026 12:21:12"
    assert readable.instant(int(summer.timestamp()) - 12, LONDON, with_zone=True) == (
        "Fri 12 Jun 2026 12:21 Europe/London"
    )


def test_a_column_of_durations_reads_as_each_duration_does():
    rng = np.random.default_rng(11)
    seconds = np.concatenate(
        [
            rng.random(2_000) * 400 - 40,  # seconds and minutes, negative ones too
            rng.integers(-5_000, 2_000_000, 2_000) + 0.5,  # halves: round() goes to even
            [0.0, -0.0, -0.4, -0.5, 0.5, 1.5, 2.5, 59.5, 3599.5, 3600.0, 7517.0, -1800.0],
            [np.nan],
        ]
    )
    assert readable.durations(pd.Series(seconds)) == [readable.duration(s) for s in seconds]
    hours = seconds / 3600
    assert readable.hours_column(pd.Series(hours)) == [readable.hours(h) for h in hours]
    # object columns: None, NaN and text are missing, numbers spelled; nullable integers too
    mixed = pd.Series([None, 1.0, "x", 3600, np.nan, 20 / 3600], dtype=object)
    assert readable.durations(mixed) == [readable.duration(v) for v in mixed]
    assert readable.hours_column(mixed) == [readable.hours(v) for v in mixed]
    nullable = pd.Series([14_400, None, 61], dtype="Int64")
    assert readable.durations(nullable) == ["4h 00m", "-", "1m 01s"]
    assert readable.durations(pd.Series([], dtype=float)) == []


def test_open_cases_responses_in_words():
    states = pd.Series(["overdue", "unanswered", "answered", "not timed", "unanswered"])
    hours = pd.Series([80.0, 3.0, np.nan, np.nan, 20 / 3600])
    assert readable.open_responses(states, hours) == [
        "overdue by 80h 00m",
        "3h 00m left",
        "answered",
        "not timed (the export records no response)",
        "20s left",
    ]
    assert readable.open_responses(pd.Series([], dtype=object), pd.Series([], dtype=float)) == []


@pytest.mark.parametrize(
    "zone", ["Europe/London", "Asia/Kolkata", "America/New_York", "Australia/Lord_Howe"]
)
def test_a_column_of_instants_reads_as_each_instant_does(zone):
    zone = ZoneInfo(zone)
    rng = np.random.default_rng(16)
    seconds = rng.integers(1_600_000_000, 1_800_000_000, 2_000)
    seconds[::3] -= seconds[::3] % 60  # whole minutes read without seconds
    # both sides of 2026's clock changes in London, New York and Lord Howe
    edges = [1774746000, 1792890000, 1772953200, 1793512800, 1775314800, 1791043200]
    seconds = np.concatenate([seconds, [e + d for e in edges for d in (-1, 0, 1, 1800)]])
    stamps = pd.Series(pd.to_datetime(seconds, unit="s", utc=True))
    stamps[[4, 9]] = pd.NaT
    want = ["never" if pd.isna(t) else readable.instant(t.to_pydatetime(), zone) for t in stamps]
    assert readable.instants(stamps, zone, missing="never") == want
    naive = stamps.dt.tz_localize(None)  # naive UTC, as some frames hold them
    assert readable.instants(naive, zone, missing="never") == want
    assert readable.instants(pd.Series([pd.NaT, pd.NaT]), zone) == ["-", "-"]
    assert readable.instants(pd.Series([], dtype="datetime64[s, UTC]"), zone) == []


# -- one case, every surface ---------------------------------------------------------------------

# London, March 2026 (GMT): level 1 has a 4 h target, level 4 a 24 h one.
AS_OF = "2026-03-13T12:00:00+00:00"
CASES = """case_id,customer,severity,created_at,first_response_at,resolved_at,channel
S20,Solo,P1,2026-03-02 09:00:00,2026-03-02 13:00:20,2026-03-02 15:00:20,portal
S3599,Solo,P1,2026-03-03 09:00:00,2026-03-03 13:59:59,2026-03-03 15:00:00,portal
SDAYS,Solo,P1,2026-03-02 09:00:00,2026-03-06 16:00:05,2026-03-06 17:00:05,portal
OPEN,Solo,P4,2026-03-11 14:00:20,,,portal
"""
# case: (business response time, overshoot) as worked out by hand
BREACHES = {
    "S20": ("4h 00m 20s", "20s"),
    "S3599": ("4h 59m 59s", "59m 59s"),
    "SDAYS": ("43h 00m 05s", "39h 00m 05s"),  # Mon-Thu 9 h each, Fri 7 h 00m 05s
}
# OPEN at Fri 13 Mar 12:00: Wed 3h 59m 40s + Thu 9 h + Fri 3 h used of 24 h
REMAINING = "8h 00m 20s"
# Resolution times (level 1): S3599 6 h, S20 6h 00m 20s, SDAYS 44h 00m 05s (Mon-Thu 9 h each,
# Fri 8h 00m 05s). Median: the middle one; p90 at rank 1.8: 21,620 s + 0.8 * 136,785 s.
RESOLUTION_MEDIAN, RESOLUTION_P90 = "6h 00m 20s", "36h 24m 08s"
RESOLUTION = (RESOLUTION_MEDIAN, RESOLUTION_P90)


@pytest.fixture
def solo(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'solo.sqlite'}"
    export = tmp_path / "solo.csv"
    export.write_text(CASES)
    with opened(url) as engine:
        import_prepared(engine, [prepare_file(export, POLICY)], POLICY)
    monkeypatch.setenv("SLA_DATABASE_URL", url)
    monkeypatch.delenv("SLA_POLICY_PATH", raising=False)
    return url


def test_the_terminal(solo, capsys):
    for case, (response, over) in BREACHES.items():
        assert main(["explain", case, "--db", solo, "--as-of", AS_OF]) == 0
        last = capsys.readouterr().out.splitlines()[-1]
        assert f": {response} business hours, {over} over -> breached" in last
    assert main(["explain", "OPEN", "--db", solo, "--as-of", AS_OF]) == 0
    assert f"{REMAINING} left -> pending" in capsys.readouterr().out
    assert main(["stats", "--db", solo, "--as-of", AS_OF]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("resolution time of"))
    assert lines[start + 2].split() == ["1", "Urgent", "3", *RESOLUTION_MEDIAN.split(),
                                        *RESOLUTION_P90.split()]  # fmt: skip


@pytest.mark.slow  # pages through AppTest
def test_the_pages(solo):
    app = _open("app_pages/attainment.py")
    [breaches] = [f.value for f in app.dataframe if "Over target by" in f.value.columns]
    shown = dict(zip(breaches["Case"], breaches["Over target by"], strict=True))
    assert shown == {case: over for case, (_, over) in BREACHES.items()}
    for case, (response, over) in BREACHES.items():
        app.text_input(key="ledger_any").set_value(case).run()
        assert f"{response} business hours, {over} over -> breached" in app.code[0].value

    app = _open("app_pages/customers.py", account="Solo")
    over = "Over target by (business time)"
    [breaches] = [f.value for f in app.dataframe if over in f.value.columns]
    assert dict(zip(breaches["Case"], breaches[over], strict=True)) == shown
    [table] = [f.value for f in app.dataframe if "Resolved (all)" in f.value.columns]
    level_1 = table.set_index("Severity").loc["1 Urgent"]
    assert (level_1["Median resolution (all)"], level_1["p90 resolution (all)"]) == (
        f"{RESOLUTION_MEDIAN} ({RESOLUTION_MEDIAN})",
        f"{RESOLUTION_P90} ({RESOLUTION_P90})",
    )

    app = _open("app_pages/backlog.py")
    [queue] = [f.value for f in app.dataframe if "Business time to deadline" in f.value.columns]
    assert queue.set_index("Case").at["OPEN", "Business time to deadline"] == f"{REMAINING} left"

    app = _open("app_pages/overview.py")
    assert any(f"median {RESOLUTION_MEDIAN}  \np90 {RESOLUTION_P90}" in c.value
               for c in app.caption)  # fmt: skip
    [table] = [f.value for f in app.dataframe if "Resolved (previous)" in f.value.columns]
    level_1 = table.set_index("Severity").loc["1 Urgent"]
    assert (level_1["Median resolution (previous)"], level_1["p90 resolution (previous)"]) == (
        f"{RESOLUTION_MEDIAN} (-)", f"{RESOLUTION_P90} (-)")  # fmt: skip

    app = _open("app_pages/attainment.py")
    [table] = [f.value for f in app.dataframe if "Resolved" in f.value.columns]
    level_1 = table.set_index("Severity").loc["1 Urgent"]
    assert (level_1["Median"], level_1["p90"]) == RESOLUTION


def test_the_review_pack(solo):
    with opened(solo) as engine:
        pack = content.build(
            engine,
            POLICY,
            "Solo",
            periods.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
            dt.datetime.fromisoformat(AS_OF),
        )
    explained = dict(zip(pack.breaches["case_id"], pack.breaches["explanation"], strict=True))
    for case, (response, over) in BREACHES.items():
        assert f": {response} business against the 4h 00m target ({over} over" in explained[case]

    html = packs.render(pack, "html").decode("utf-8")
    pdf = _pdf_text(packs.render(pack, "pdf"))
    book = openpyxl.load_workbook(io.BytesIO(packs.render(pack, "xlsx")))
    sheet = book["Breaches"]
    header = [c.value for c in sheet[1]]
    rows = {
        row[header.index("case_id")]: row for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    resolution = f'<td class="n">{RESOLUTION_MEDIAN}</td><td class="n">-</td><td class="n">'
    assert resolution + f"{RESOLUTION_P90}</td>" in html  # beside the previous period's: none
    assert f"{RESOLUTION_MEDIAN} prev. - {RESOLUTION_P90} prev. -" in pdf
    for case, (_, over) in BREACHES.items():
        assert f'<td class="n">{over}</td>' in html  # the overshoot column
        assert explained[case] in html
        assert " ".join(explained[case].split()) in pdf
        assert rows[case][header.index("explanation")] == explained[case]
        assert rows[case][header.index("overshoot")] == over


def _open(page: str, **params) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    url = {"period": "Custom range", "from": "2026-03-01", "to": "2026-03-13", "as_of": AS_OF}
    for key, value in {**url, **params}.items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def _pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    return " ".join(text.replace("\r", " ").split())


@pytest.mark.parametrize(
    ("column", "shown"),
    [
        ("attainment_in_scope", "Attainment in scope"),
        ("case_id", "Case"),
        ("file_name", "File"),
        ("dismissed", "Dismissed"),
        ("Third-party tool", "Third-party tool"),  # already words
        ("Met (all cases)", "Met (all cases)"),
    ],
)
def test_a_column_is_headed_in_words(column, shown):
    assert readable.header(column) == shown
