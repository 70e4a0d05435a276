"""Review packs as an account manager reads them (issue 15): a summary first, honest small
numbers and changes, a monthly trend for a quarter, overdue cases at the period's end, one
spelling of a duration, no PDF page holding only a note; and every customer's pack at once
(`report --all-customers`), written whole or not at all."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import pypdfium2
import pytest

from dashboard import periods, views
from dashboard.cli import main
from dashboard.review import batch, content, layout, packs, to_html, to_pdf, wording
from dashboard.review.layout import PROVENANCE
from tests import analytics_fixture as fixture
from tests.test_review_pack import EXTRA, FORMULA, HOSTILE, PERIOD, POLICY, parsed

pytestmark = pytest.mark.slow  # renders packs and reads them back

QUARTER = periods.Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
FIRST_WEEK = periods.Period(dt.date(2026, 3, 2), dt.date(2026, 3, 6))  # Mon-Fri


@pytest.fixture
def db(engine, tmp_path):
    return fixture.import_into(engine, tmp_path, extra=EXTRA, policy=POLICY)


def pack_of(db, customer="Acme", period=PERIOD) -> content.ReviewPack:
    return content.build(db, POLICY, customer, period, fixture.AS_OF)


def summary_items(html: str) -> list[str]:
    [block] = re.findall(r'<ul id="summary">(.*?)</ul>', html, flags=re.S)
    return [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", block,
                                                                     flags=re.S)]  # fmt: skip


def pdf_pages(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    pages = [document[n].get_textpage().get_text_range().replace("\r", "")
             for n in range(len(document))]  # fmt: skip
    document.close()
    return pages


# -- the summary -------------------------------------------------------------------------------


def test_the_pack_opens_with_a_summary_one_sentence_each(db):
    pack = pack_of(db)
    html = to_html.render(pack)
    assert re.findall(r"<h2>(.*?)</h2>", html)[0] == "Summary"  # before the policy
    assert summary_items(html) == [
        "66.7% of the 12 judged cases met their first-response target (8 met, 4 breached; "
        "the goal is 95.0%).",
        "4 cases breached their response target (1 Urgent, 2 High, 1 Low), each explained below.",
        "1 case was unanswered past the response deadline at Fri 13 Mar 2026 12:00 (1 High).",
        "Attainment is down 33.3 points from 100.0% in the previous period "
        "(18 Feb 2026 - 01 Mar 2026).",
    ]
    first = " ".join(pdf_pages(packs.render(pack, "pdf"))[0].split())
    assert first.index("Summary") < first.index("The policy")
    assert "4 cases breached their response target (1 Urgent, 2 High, 1 Low)" in first
    book = openpyxl.load_workbook(io.BytesIO(packs.render(pack, "xlsx")))
    items = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert items["attainment"] == pytest.approx(2 / 3)  # a number to compute with
    assert items["breaches"] == 4
    assert items["overdue cases"] == 1
    assert items["change (percentage points)"] == pytest.approx(-33.3)
    assert items["in words: overdue"].startswith("1 case was unanswered")


def test_a_summary_says_when_there_is_nothing_to_compare_or_no_change(db):
    # Initech, 2-6 March: its previous period (25 Feb - 1 Mar) has no case
    pack = pack_of(db, "Initech", FIRST_WEEK)
    assert pack.previous_headline.totals.cases == 0
    said = summary_items(to_html.render(pack))
    assert said[3] == (
        "No case was judged in the previous period (25 Feb 2026 - 01 Mar 2026), so there is no "
        "change to compare."
    )
    rows = parsed(to_html.render(pack)).tables["severities"]
    assert [r[8] for r in rows[1:]] == ["", "", "", "", ""]  # no change column filled
    acme = pack_of(db)
    both = views.side_by_side(acme.headline, acme.headline)
    same = dataclasses.replace(acme, previous_headline=acme.headline, severities=both)
    html = to_html.render(same)
    assert summary_items(html)[3] == (
        "Attainment is unchanged from the previous period (18 Feb 2026 - 01 Mar 2026), at 66.7%."
    )
    assert [r[8] for r in parsed(html).tables["severities"][1:]] == ["", "", "", "", ""]
    assert "pts" not in " ".join(pdf_pages(packs.render(same, "pdf"))[0].split())


# -- honest small numbers and changes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "judged", "shown"),
    [
        (0.5, 9, "50.0%*"),  # fewer than 10: marked
        (0.5, 10, "50.0%"),
        (1.0, 1, "100.0%*"),
        (None, 0, "-"),  # no rate: nothing to mark
        (None, 3, "-"),
    ],
)
def test_a_rate_on_fewer_than_10_cases_is_marked(value, judged, shown):
    assert wording.rate(value, judged) == shown


@pytest.mark.parametrize(
    ("now", "before", "shown"),
    [
        (2 / 3, 0.5, "+16.7 pts"),
        (0.5, 2 / 3, "-16.7 pts"),
        (0.5, 0.5, ""),  # no movement: no change shown
        (0.50004, 0.5, ""),  # rounds to 0.0: none either
        (0.49996, 0.5, ""),  # nor -0.0
        (0.5, None, ""),  # the previous period has no rate
        (None, 0.5, ""),
    ],
)
def test_a_change_is_shown_only_where_there_is_one(now, before, shown):
    assert wording.change(now, before) == shown


def test_small_rates_are_marked_in_the_pack_and_said_in_the_summary(db):
    initech = pack_of(db, "Initech")  # 8 judged cases: 6 met, 2 breached
    html = to_html.render(initech)
    totals = parsed(html).tables["severities"][-1]
    assert totals[6] == "75.0%*"
    assert wording.SMALL_NOTE in html
    assert summary_items(html)[0] == (
        "75.0% of the 8 judged cases met their first-response target (6 met, 2 breached; the "
        "goal is 95.0%); on so few cases, each one moves the rate by 12.5 points."
    )
    acme = parsed(to_html.render(pack_of(db))).tables["severities"]
    assert acme[-1][6] == "66.7%"  # 12 judged: a rate to read as such
    rows = {r[0]: r for r in acme[1:]}
    assert rows["L4 Low"][6:9] == ["75.0%*", "100.0%*", "-25.0 pts"]
    assert rows["L1 Urgent"][7:9] == ["-", ""]  # nothing before: no change
    flat = " ".join(" ".join(pdf_pages(packs.render(initech, "pdf"))).split())
    assert "75.0%*" in flat
    assert wording.SMALL_NOTE in flat


# -- the trend ---------------------------------------------------------------------------------


def test_a_quarter_is_trended_by_month_a_fortnight_by_week(db):
    quarter = pack_of(db, "Acme", QUARTER)
    assert set(quarter.trend["period"]) == {"2026-02", "2026-03"}  # months, not 13 weeks
    assert "per month" in layout.trend_note(quarter)
    fortnight = pack_of(db)
    assert set(fortnight.trend["period"]) == {"2026-03-02", "2026-03-09"}  # weeks (Mondays)
    book = openpyxl.load_workbook(io.BytesIO(packs.render(quarter, "xlsx")))
    assert [r[0].value for r in book["Trend"].iter_rows(min_row=2)][:1] == [dt.datetime(2026, 2, 1)]


def test_trend_points_on_few_cases_are_drawn_hollow(db):
    pack = pack_of(db, "Acme", QUARTER)
    spec = layout.trend_chart(pack).to_dict()
    marks = [(layer, layer.get("mark")) for layer in spec["layer"]]
    hollow = [layer for layer, mark in marks
              if isinstance(mark, dict) and mark.get("filled") is False]  # fmt: skip
    assert len(hollow) == 1
    points = spec["datasets"][hollow[0]["data"]["name"]]
    judged = pack.trend["met"] + pack.trend["breached"]
    expected = pack.trend[pack.trend["attainment"].notna() & (judged < 10)]
    assert len(points) == len(expected) > 0
    assert "hollow point rests on fewer than 10 judged cases" in to_html.render(pack)


# -- overdue -----------------------------------------------------------------------------------


def test_overdue_is_taken_at_the_period_end(db):
    # Globex, 2-6 March, judged as of Fri 13 March: at the period's end (Sat 7 March 00:00)
    # P02 (level 3, due Mon 2 March 13:00) was overdue; G10 was not yet created, and G02
    # (Fri 16:00, 2 h of its 4 h used) was not yet due.
    pack = pack_of(db, "Globex", FIRST_WEEK)
    assert list(pack.overdue["case_id"]) == ["P02"]
    assert pack.backlog.set_index("level")["overdue"].to_dict() == {1: 0, 2: 0, 3: 1, 4: 0}
    html = to_html.render(pack)
    assert summary_items(html)[2] == (
        "1 case was unanswered past the response deadline at Sat 07 Mar 2026 00:00 (1 Medium)."
    )
    tables = parsed(html).tables
    assert tables["overdue"][1][:2] == ["P02", "L3 Medium"]
    assert tables["overdue"][1][4] == "Mon 02 Mar 2026 13:00"  # its deadline
    assert [r[2] for r in tables["backlog"][1:]] == ["0", "0", "1", "0"]
    # judged now instead, G10 (due Wed 11 March) would be overdue too: the pack does not
    # change with the day it is made
    now = pack_of(db, "Globex")
    assert set(now.overdue["case_id"]) == {"P02", "G10"}
    book = openpyxl.load_workbook(io.BytesIO(packs.render(pack, "xlsx")))
    sheet = [[c.value for c in row] for row in book["Overdue"].iter_rows()]
    assert sheet[1][0] == "P02"
    assert isinstance(sheet[1][sheet[0].index("response_deadline (Europe/London)")], dt.datetime)


# -- one spelling of a duration ----------------------------------------------------------------

# A duration written any other way than readable.duration's '4h 00m', '31h 00m', '30s'
OTHER_SPELLINGS = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:hrs?|hours?|mins?|minutes?)\b"  # '4 hours', '12 hrs'
    r"|\b\d+(?:\.\d+)? h\b"  # '4 h'
    r"|\b\d+h(?! \d\dm)\b"  # '4h' alone
    r"|\b\d+:\d\d:\d\d\b"  # '0:00:20'
    r"|\ba \d*8\d*h\b|\ba 1[18]h\b"  # 'a 8h': no article to get wrong
)


def visible_text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>|<style.*?</style>", "", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_duration_has_one_spelling(db):
    for customer in ("Acme", "Globex", "Initech"):
        pack = pack_of(db, customer)
        for text in (visible_text(to_html.render(pack)),
                     " ".join(" ".join(pdf_pages(packs.render(pack, "pdf"))).split())):  # fmt: skip
            assert OTHER_SPELLINGS.findall(text) == [], customer
    lines = pack_of(db).breaches.set_index("case_id")["explanation"]
    assert "against the 8h 00m target" in lines["A05"]


# -- the PDF's pages ---------------------------------------------------------------------------


def test_no_pdf_page_holds_only_a_footer_or_a_note(db, monkeypatch):
    """However long the pack, every page carries content: the closing note once fell alone
    on a last page. Data-quality notes of 0 to 60 rows run the end of the pack through a
    whole page."""
    pack = pack_of(db)
    png = layout.trend_image(pack, "png")
    monkeypatch.setattr(layout, "trend_image", lambda pack, kind: png)  # drawn once
    footer = re.compile(r"^Support review: Acme, .* page (\d+) of (\d+)$")
    for rows in range(0, 61):
        notes = pd.DataFrame(
            [{"kind": "rejected row", "where": f"export.csv, row {n}", "case_id": f"R{n:02d}",
              "detail": "severity 'P9' is not one of the policy's"} for n in range(rows)],
            columns=["kind", "where", "case_id", "detail"],
        )  # fmt: skip
        pages = pdf_pages(to_pdf.render(dataclasses.replace(pack, data_quality=notes)))
        for number, text in enumerate(pages, start=1):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            running = [line for line in lines if footer.match(line)]
            assert [footer.match(line).groups() for line in running] == [
                (str(number), str(len(pages)))
            ], (rows, number)
            body = " ".join(line for line in lines if not footer.match(line))
            body = " ".join(body.split()).replace(" ".join(PROVENANCE.split()), "")
            assert re.search(r"\w", body.replace("Made by sla-dashboard", "")), (rows, number)
            assert "Made by sla-dashboard" not in body or number == 1, (rows, number)


# -- every customer's pack: report --all-customers ---------------------------------------------

DAYS = ["--from", "2026-03-02", "--to", "2026-03-13", "--as-of", "2026-03-13T12:00:00Z"]


def all_customers(database_url, folder, *extra) -> int:
    return main(["report", "--all-customers", "--out-dir", str(folder), *DAYS,
                 "--db", database_url, *extra])  # fmt: skip


def test_every_customers_pack_and_an_index(db, database_url, tmp_path, capsys):
    folder = tmp_path / "reviews"
    assert all_customers(database_url, folder, "--format", "html") == 0
    out = capsys.readouterr().out.splitlines()
    with open(folder / "index.csv", encoding="utf-8-sig", newline="") as handle:
        index = list(csv.DictReader(handle))
    # every customer with a case created in the period (E01, in April, is not)
    customers = {r["customer"] for r in index}
    assert customers == {"Acme", "Globex", "Initech", HOSTILE, "'" + FORMULA}  # neutralised
    files = [r["file"] for r in index]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*files, "index.csv",
                                                               "index.html"])  # fmt: skip
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9_.-]*\.html", f) for f in files), files
    acme = next(r for r in index if r["customer"] == "Acme")
    assert acme == {"customer": "Acme", "cases": "16", "judged": "12",
                    "attainment": str(2 / 3), "breaches": "4", "overdue": "1",
                    "file": "acme.html"}  # fmt: skip
    assert (folder / "acme.html").read_bytes() == packs.render(pack_of(db), "html")
    # one line a pack, then the index's
    assert len(out) == len(files) + 1
    assert (f"wrote {folder / 'acme.html'}: HTML review pack for 'Acme', "
            "02 Mar 2026 - 13 Mar 2026, 4 breach(es)") in out  # fmt: skip
    assert out[-1].startswith(f"wrote {folder / 'index.html'}: index of 5 review pack(s)")
    page = parsed((folder / "index.html").read_text(encoding="utf-8"))
    assert "img" not in page.tags  # the customer named as markup is text
    assert sorted(page.links) == sorted(files)
    shown = {r[0]: r for r in page.tables["packs"][1:]}
    assert shown["Acme"][1:5] == ["16", "66.7%", "4", "1"]
    assert shown["Initech"][2] == "75.0%*"  # 8 judged: marked


def test_pdf_is_the_default_format(db, database_url, tmp_path, capsys):
    folder = tmp_path / "reviews"
    assert all_customers(database_url, folder) == 0
    assert (folder / "acme.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--customer", "Acme", "--all-customers", "--out-dir", "x"], "not allowed with"),
        (["--all-customers"], "--all-customers needs --out-dir DIR"),
        (["--all-customers", "--out-dir", "x", "-o", "a.pdf"], "not -o/--output FILE"),
        (["--customer", "Acme", "--out-dir", "x"], "--out-dir goes with --all-customers"),
        (["--customer", "Acme", "-o", "a.pdf", "--format", "pdf"], "--format goes with"),
        (["--customer", "Acme"], "--customer needs -o/--output FILE"),
        (["--out-dir", "x"], "one of the arguments --customer --all-customers is required"),
    ],
)
def test_all_customers_and_customer_exclude_each_other(database_url, tmp_path, monkeypatch,
                                                       capsys, argv, message):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    try:
        status = main(["report", *argv, "--db", database_url])
    except SystemExit as exc:  # argparse's own refusals
        status = exc.code
    assert status == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_holding_other_files_is_refused(db, database_url, tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    assert all_customers(database_url, folder) == 2
    err = capsys.readouterr().err
    assert "holds files that are not an earlier `report --all-customers` run's (notes.txt)" in err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    (folder / "index.csv").write_text("customer\nnot ours\n")  # an index, but not ours
    (folder / "index.html").write_text("")
    assert all_customers(database_url, folder) == 2
    capsys.readouterr()


def test_an_earlier_runs_output_is_replaced_whole(db, database_url, tmp_path, capsys):
    tmp_path = tmp_path / "out"  # a parent holding only what the runs write
    folder = tmp_path / "reviews"
    assert all_customers(database_url, folder, "--format", "html") == 0
    assert (folder / "globex.html").exists()
    # the week of 9 March as xlsx: the earlier html packs go, the new packs come
    assert main(["report", "--all-customers", "--out-dir", str(folder), "--format", "xlsx",
                 "--from", "2026-03-09", "--to", "2026-03-13", "--as-of", "2026-03-13T12:00:00Z",
                 "--db", database_url]) == 0  # fmt: skip
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["acme.xlsx", "globex.xlsx", "index.csv", "index.html", "initech.xlsx"]
    assert [p.name for p in tmp_path.iterdir()] == ["reviews"]  # nothing left beside it
    capsys.readouterr()


def test_nothing_is_half_written_on_failure(db, database_url, tmp_path, monkeypatch, capsys):
    tmp_path = tmp_path / "out"  # a parent holding only what the runs write
    folder = tmp_path / "reviews"
    assert all_customers(database_url, folder, "--format", "html") == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real, made = packs.render, []

    def failing(pack, kind):
        made.append(pack.customer)
        if len(made) == 3:
            raise OSError(28, "No space left on device")
        return real(pack, kind)

    monkeypatch.setattr(packs, "render", failing)
    assert all_customers(database_url, folder, "--format", "pdf") == 2
    assert "No space left on device" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # as it was
    assert [p.name for p in tmp_path.iterdir()] == ["reviews"]  # no staging folder left
    made.clear()
    fresh = tmp_path / "fresh"
    assert all_customers(database_url, fresh, "--format", "pdf") == 2
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews"]


def test_no_customer_in_the_period_writes_nothing(db, database_url, tmp_path, capsys):
    folder = tmp_path / "reviews"
    june = ["--from", "2026-06-01", "--to", "2026-06-30", "--as-of", "2026-07-01T00:00Z"]
    status = main(["report", "--all-customers", "--out-dir", str(folder), *june,
                   "--db", database_url])  # fmt: skip
    assert status == 2
    err = capsys.readouterr().err
    assert "no case was created 01 Jun 2026 - 30 Jun 2026: no customer to write a pack for" in err
    assert not folder.exists()


def test_pack_file_names_are_safe_and_distinct():
    names = batch.pack_file_names(
        ["Acme Payments", "acme/payments", "ACME payments", "../../etc/passwd", "???", "CON",
         "Müller GmbH", "index", "x" * 300],
        "pdf",
    )  # fmt: skip
    assert names["Acme Payments"] == "acme-payments.pdf"
    assert names["acme/payments"] == "acme-payments-2.pdf"  # folded to the same: numbered
    assert names["ACME payments"] == "acme-payments-3.pdf"
    assert names["../../etc/passwd"] == "etc-passwd.pdf"  # no folder, no climbing out
    assert names["???"] == "customer.pdf"
    assert names["CON"] == "customer-con.pdf"  # a name Windows reserves
    assert names["Müller GmbH"] == "müller-gmbh.pdf"
    assert names["index"] == "customer-index.pdf"
    assert len(names["x" * 300]) <= 84
    assert len(set(names.values())) == len(names)
