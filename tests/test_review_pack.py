"""Customer review packs: the figures in HTML, PDF and XLSX equal the queries' for a fixture
customer (on SQLite and PostgreSQL), breaches are explained, data never acts as markup or as
a formula. The PDF's pages are rendered to PNG under build/review_pack/ to be looked at."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pypdfium2
import pytest

from dashboard import analytics, periods, readable
from dashboard.cli import main
from dashboard.importing import import_prepared
from dashboard.policy import load_policy
from dashboard.queries import Filters
from dashboard.review import content, packs, to_html
from tests import analytics_fixture as fixture

pytestmark = pytest.mark.slow  # renders packs as PDF, HTML and XLSX and reads them back

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("SLA_ARTIFACTS", ROOT / "build")) / "review_pack"
POLICY = load_policy()  # the vendor's, with its scope wording (the CLI's default)
PERIOD = periods.Period(*fixture.PERIOD)
HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://example.invalid","click")'
# A case over Easter 2026 (Good Friday 3 April, Easter Monday 6 April) and one from a customer
# whose name is markup, one whose name is a formula.
QUOTED_FORMULA = FORMULA.replace('"', '""')
EXTRA = (
    "E01,Acme,Enterprise,P1,2026-04-02 16:00,2026-04-07 12:00,2026-04-07 13:00,resolved,"
    "portal,,true\n"
    f'H01,"{HOSTILE}",Enterprise,P2,2026-03-03 10:00,2026-03-04 17:00,,open,portal,,true\n'
    f'X01,"{QUOTED_FORMULA}",Enterprise,P3,2026-03-03 10:00,2026-03-03 11:00,,open,portal,,true\n'
)


@pytest.fixture
def db(engine, tmp_path):
    """The fixture cases and EXTRA's: over Easter, and customers named as markup and formula."""
    return fixture.import_into(engine, tmp_path, extra=EXTRA, policy=POLICY)


def acme(db) -> content.ReviewPack:
    return content.build(db, POLICY, "Acme", PERIOD, fixture.AS_OF)


# -- the content -------------------------------------------------------------------------------


def test_the_figures_are_the_queries(db):
    pack = acme(db)
    scope = analytics.Scope(Filters(*fixture.PERIOD, customers=("Acme",)), fixture.AS_OF)
    headline = analytics.headline(db, scope, POLICY)
    table = pack.severities.set_index("severity")
    for severity in headline.severities:
        row = table.loc[severity.level]
        assert row["cases"] == severity.counts.cases
        assert row["met"] == severity.counts.met
        assert row["breached"] == severity.counts.breached
    assert table.loc[1, "attainment"] == pytest.approx(2 / 3)  # A01 A03 met, A02 breached
    assert pack.headline == headline
    assert set(pack.breaches["case_id"]) == {"A02", "A05", "A08", "A11"}
    assert pack.backlog["open_cases"].sum() == 3  # A10 A11 A15 at the as-of instant
    dismissed = pack.dismissals.set_index("reason")["dismissed"]
    assert dismissed["Third-party tool"] == 1  # A13
    assert dismissed["Not Flux-related"] == 1  # A14
    assert set(pack.data_quality["case_id"]) == {"A12"}  # answered before it was created
    for severity in headline.severities:
        row = table.loc[severity.level]
        assert row["resolved"] == severity.resolution.resolved
        assert row["resolution_median_hours"] == pytest.approx(severity.resolution.median_hours)
    # Acme's level 1 resolved A01 6 h, A02 10 h, A03 8 h: median 8 h, p90 at rank 1.8: 9.6 h;
    # the previous period's (16 Feb - 1 Mar) P01, level 4: 27 h
    assert table.loc[1, ["resolved", "resolution_median_hours", "resolution_p90_hours"]
                     ].tolist() == [3, 8, pytest.approx(9.6)]  # fmt: skip
    assert table.loc[4, "previous_resolution_median_hours"] == 27
    assert "resolution_attainment" not in table.columns  # no resolution target: no verdicts


def test_every_breach_is_explained_in_one_line(db):
    lines = acme(db).breaches.set_index("case_id")["explanation"]
    assert lines["A05"] == (
        "created Tue 03 Mar 2026 17:00, answered Wed 04 Mar 2026 17:00: 9h 00m business against "
        "the 8h 00m target (1h 00m over; not counted: night)"
    )
    assert lines["A11"].startswith(
        "created Mon 09 Mar 2026 09:00, unanswered as of Fri 13 Mar 2026 12:00: "
    )
    april = content.build(
        db, POLICY, "Acme", periods.Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
        dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    [line] = april.breaches["explanation"]
    # Thu 2 h + Tue 3 h; Good Friday, the weekend and Easter Monday by name
    assert line == (
        "created Thu 02 Apr 2026 16:00, answered Tue 07 Apr 2026 12:00: 5h 00m business against "
        "the 4h 00m target (1h 00m over; not counted: night, Good Friday, weekend, Easter Monday)"
    )


def test_resolution_targets_in_every_format(engine, tmp_path):
    policy_file = tmp_path / "resolution.toml"
    policy_file.write_text((ROOT / "data" / "policy.toml").read_text().replace(
        "response_hours = 4\n", "response_hours = 4\nresolution_hours = 6\n"))  # fmt: skip
    policy = load_policy(policy_file)
    db = fixture.import_into(engine, tmp_path, extra=EXTRA, policy=policy)
    pack = content.build(db, policy, "Acme", PERIOD, fixture.AS_OF)
    # level 1 in 6 h: A01 (6 h exactly) met; A02 (10 h), A03 (8 h) breached
    urgent = pack.severities.set_index("severity").loc[1]
    assert urgent[["resolution_met", "resolution_breached"]].tolist() == [1, 2]
    assert urgent["resolution_attainment"] == pytest.approx(1 / 3)
    targets = pack.policy_table["resolution_target_hours"]
    assert targets[0] == 6
    assert targets[1:].isna().all()  # the other levels have none

    tables = parsed(to_html.render(pack)).tables
    assert tables["policy"][0] == ["Severity", "Response target", "Resolution target", "Impact"]
    assert tables["policy"][1][2] == "6h 00m of business time"
    assert tables["policy"][2][2] == "none"
    resolution = {r[0]: r for r in tables["resolution"]}
    assert resolution["Severity"][3:8] == ["Target", "Met", "Breached", "Attainment", "Previous"]
    assert resolution["L1 Urgent"][3:8] == ["6h 00m", "1", "2", "33.3%*", "-"]  # on 3 cases
    assert resolution["L2 High"][3:7] == ["-", "0", "0", "-"]

    flat = " ".join(pdf_text(packs.render(pack, "pdf"), "resolution-targets").split())
    assert "6h 00m of business time" in flat
    assert "L1 Urgent 3 prev. 0 6h 00m 1 2 33.3%* prev. - 8h 00m prev. - 9h 36m prev. -" in flat

    book = openpyxl.load_workbook(io.BytesIO(packs.render(pack, "xlsx")))
    header = [c.value for c in book["Severities"][1]]
    first = dict(zip(header, [c.value for c in book["Severities"][2]], strict=True))
    assert first["resolution_attainment"] == pytest.approx(1 / 3)
    policy_sheet = [[c.value for c in row] for row in book["Policy"].iter_rows()]
    assert policy_sheet[0][3] == "resolution_target_hours"
    assert policy_sheet[1][3] == 6


def test_the_default_period_is_the_last_full_quarter():
    as_of = dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC)
    assert content.default_period(as_of, POLICY) == periods.Period(
        dt.date(2026, 7, 1), dt.date(2026, 9, 30)
    )


def test_an_unknown_customer_is_refused(db):
    with pytest.raises(Exception, match="no case names the customer 'Nobody'"):
        content.build(db, POLICY, "Nobody", PERIOD, fixture.AS_OF)


# -- HTML ----------------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Each table's cells by its id; every tag seen; every src/href."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.tags: list[str] = []
        self.links: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        self.links += [attrs[k] for k in ("src", "href") if k in attrs]
        if tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parsed(html: str) -> _Tables:
    tables = _Tables()
    tables.feed(html)
    return tables


def test_the_html_holds_the_figures_and_needs_no_network(db):
    pack = acme(db)
    html = to_html.render(pack)
    tables = parsed(html)
    rows = {r[0]: r for r in tables.tables["severities"][1:]}
    for r in pack.severities.itertuples():
        shown = rows[f"L{r.severity} {r.name}"]
        assert shown[2] == str(r.cases)
        judged = r.met + r.breached  # every level has fewer than 10: each rate is marked
        rate = None if r.attainment != r.attainment else r.attainment
        assert shown[6] == readable.share(rate) + ("*" if judged else "")
    assert rows["L1 Urgent"][6] == "66.7%*"
    resolution = tables.tables["resolution"]
    assert resolution[0] == ["Severity", "Resolved", "Previous", "Median", "Previous", "p90",
                             "Previous"]  # fmt: skip
    assert {r[0]: r[1:] for r in resolution[1:]}["L1 Urgent"] == [
        "3", "0", "8h 00m", "-", "9h 36m", "-"]  # fmt: skip
    assert {r[0]: r[1:] for r in resolution[1:]}["L4 Low"][4:] == ["27h 06m", "27h 00m"]
    assert len(tables.tables["policy"][0]) == 3  # no resolution target column: none is set
    breaches = {r[0]: r for r in tables.tables["breaches"][1:]}
    assert set(breaches) == {"A02", "A05", "A08", "A11"}
    assert breaches["A05"][3] == "1h 00m"
    assert "svg" in tables.tags  # the trend chart, inline
    assert tables.links == []  # nothing fetched: no stylesheet, script, image or font
    assert "<script" not in html
    assert "@page { size: A4" in html
    (ARTIFACTS).mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "acme.html").write_text(html, encoding="utf-8")


def test_markup_in_the_data_stays_text_in_the_html(db):
    html = to_html.render(content.build(db, POLICY, HOSTILE, PERIOD, fixture.AS_OF))
    tables = parsed(html)
    assert "img" not in tables.tags
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert HOSTILE in html.replace("&lt;", "<").replace("&gt;", ">")


# -- XLSX ----------------------------------------------------------------------------------------


def test_the_workbook_holds_real_numbers_and_dates(db):
    pack = acme(db)
    book = openpyxl.load_workbook(io.BytesIO(packs.render(pack, "xlsx")))
    assert book.sheetnames == ["Summary", "Policy", "Severities", "Trend", "Breaches", "Backlog",
                               "Overdue", "Ageing", "Dismissals", "Channels",
                               "Data quality"]  # fmt: skip
    sheet = book["Severities"]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["severity"] == 1
    assert first["attainment"] == pytest.approx(2 / 3)
    assert sheet.cell(2, header.index("attainment") + 1).number_format == "0.0%"
    breaches = book["Breaches"]
    names = [c.value for c in breaches[1]]
    created = breaches.cell(2, names.index("created_at (Europe/London)") + 1).value
    assert isinstance(created, dt.datetime)
    assert breaches.cell(2, names.index("business_hours") + 1).value == 5  # A02: a number
    assert first["resolved"] == 3
    assert first["resolution_median_hours"] == 8  # hours as numbers, to compute with
    assert sheet.cell(2, header.index("resolution_p90_hours") + 1).number_format == "0.0000"
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["customer"] == "Acme"
    assert summary["first day"] == dt.datetime(2026, 3, 2)


def test_a_formula_shaped_name_stays_text_in_the_workbook(db):
    data = packs.render(content.build(db, POLICY, FORMULA, PERIOD, fixture.AS_OF), "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    cell = book["Summary"]["B2"]
    assert cell.value == FORMULA
    assert cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)  # no formula anywhere


# -- PDF -----------------------------------------------------------------------------------------


def pdf_text(data: bytes, stem: str) -> str:
    """All pages' text; each page also saved as PNG for a person to look at."""
    document = pypdfium2.PdfDocument(data)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    texts = []
    for number in range(len(document)):
        page = document[number]
        texts.append(page.get_textpage().get_text_range())
        page.render(scale=1.5).to_pil().save(ARTIFACTS / f"{stem}-page{number + 1}.png")
    document.close()
    return "\n".join(texts).replace("\r", "")


def test_the_pdf_holds_the_figures(db):
    pack = acme(db)
    data = packs.render(pack, "pdf")
    assert data.startswith(b"%PDF")
    text = pdf_text(data, "acme")
    assert "Support review: Acme" in text
    assert "66.7%" in text  # level 1 attainment
    for case_id in ("A02", "A05", "A08", "A11"):
        assert case_id in text
    flat = " ".join(text.split())
    assert "9h 00m business against the 8h 00m target" in flat
    assert "Resolution times" in text
    assert "L1 Urgent 3 prev. 0 8h 00m prev. - 9h 36m prev. -" in flat  # one row of the table
    assert "Third-party tools and integrations are out of scope." in flat


def test_markup_in_the_data_stays_text_in_the_pdf(db):
    text = pdf_text(packs.render(content.build(db, POLICY, HOSTILE, PERIOD, fixture.AS_OF),
                                  "pdf"), "hostile")  # fmt: skip
    assert HOSTILE in text


# -- CLI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["html", "pdf", "xlsx"])
def test_sla_dashboard_report(db, database_url, tmp_path, capsys, suffix):
    out = tmp_path / f"acme.{suffix}"
    code = main(
        ["report", "--customer", "Acme", "--from", "2026-03-02", "--to", "2026-03-13",
         "--as-of", "2026-03-13T12:00:00Z", "--db", database_url, "-o", str(out)]
    )  # fmt: skip
    assert code == 0
    assert f"wrote {out}" in capsys.readouterr().out
    data = out.read_bytes()
    if suffix == "html":
        assert data == packs.render(acme(db), "html")  # the same pack, byte for byte
    elif suffix == "pdf":
        assert "Support review: Acme" in pdf_text(data, "cli")
    else:
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert book["Summary"]["B2"].value == "Acme"


def test_report_refuses_an_unknown_format_and_customer(db, database_url, tmp_path, capsys):
    assert main(["report", "--customer", "Acme", "--db", database_url, "-o",
                 str(tmp_path / "pack.docx")]) == 2  # fmt: skip
    assert "written as .html, .pdf or .xlsx" in capsys.readouterr().err
    assert main(["report", "--customer", "Nobody", "--db", database_url, "-o",
                 str(tmp_path / "pack.pdf")]) == 2  # fmt: skip
    assert "no case names the customer 'Nobody'" in capsys.readouterr().err
    assert not (tmp_path / "pack.pdf").exists()


# -- review findings -------------------------------------------------------------------------


def test_a_pack_under_other_rules_than_the_stored_is_refused(db, database_url, tmp_path, capsys):
    other = tmp_path / "policy.toml"
    other.write_text(
        (ROOT / "data" / "policy.toml").read_text().replace("response_hours = 4\n",
                                                            "response_hours = 2\n")
    )  # fmt: skip
    code = main(["report", "--customer", "Acme", "--db", database_url, "--policy", str(other),
                 "-o", str(tmp_path / "pack.pdf")])  # fmt: skip
    assert code == 2
    assert "re-score them first (`sla-dashboard recompute`" in capsys.readouterr().err
    assert not (tmp_path / "pack.pdf").exists()


def test_hostile_and_huge_text_in_every_format(db, tmp_path):
    from dashboard.importer.prepare import prepare_file as prepare

    long = "word " * 8_000  # 40,000 characters: over an Excel cell, over a PDF page
    path = tmp_path / "odd.csv"
    path.write_text(
        "case_id,customer,severity,created_at,first_response_at,subject\n"
        f'Z01,Zed,P1,2026-03-03 09:00,2026-03-03 14:00,"bell\\x07 esc\\x1b[31m tab\\x0b"\n'
        f'Z02,Zed,P1,2026-03-03 09:00,2026-03-03 15:00,"{long}"\n'
        "Z03,Zed,P1,2026-03-03 09:00,2026-03-03 13:00:30,short\n"
    )
    import_prepared(db, [prepare(path, POLICY)], POLICY)
    pack = content.build(db, POLICY, "Zed", PERIOD, fixture.AS_OF)
    book = openpyxl.load_workbook(io.BytesIO(packs.render(pack, "xlsx")))
    subjects = [row[2].value for row in book["Breaches"].iter_rows(min_row=2)]
    assert "bell\\x07 esc\\x1b[31m tab\\x0b" in subjects  # shown, not dropped, not crashing
    assert max(len(s) for s in subjects) <= 32_767
    assert any(s.endswith("[cut: longer than an Excel cell holds]") for s in subjects)
    text = " ".join(pdf_text(packs.render(pack, "pdf"), "huge").split())
    assert "[cut: the full text is in the XLSX pack]" in text
    lines = pack.breaches.set_index("case_id")["explanation"]
    assert lines["Z03"].endswith("against the 4h 00m target (30s over)")  # not "0m over"


def test_ageing_at_the_end_of_a_period_ending_before_a_working_day(db):
    # to Mon 9 March: the backlog is taken at its last second, Tuesday not yet begun
    to_monday = periods.Period(dt.date(2026, 3, 2), dt.date(2026, 3, 9))
    pack = content.build(db, POLICY, "Globex", to_monday, fixture.AS_OF)
    ages = pack.ageing.set_index(["bucket", "severity"])["cases"]
    assert ages[("0", 4)] == 1  # G10, created Mon 9 March 09:00: 0 business days old


def test_report_dates_outside_the_calendar_are_refused_cleanly(db, database_url, tmp_path, capsys):
    base = ["report", "--customer", "Acme", "--db", database_url, "-o", str(tmp_path / "p.pdf")]
    for extra, message in (
        (["--to", "9999-12-31"], "--to 9999-12-31 is outside the years"),
        (["--from", "0001-01-01"], "--from 0001-01-01 is outside the years"),
        (["--as-of", "9999-12-31T00:00"], "--as-of 9999-12-31 is outside the years"),
        (["--from", "2030-01-01", "--as-of", "2026-11-01T00:00"], "give --to as well"),
    ):
        assert main([*base, *extra]) == 2, extra
        err = capsys.readouterr().err
        assert message in err
        assert "Traceback" not in err


def test_trend_periods_are_dates_in_the_workbook(db):
    book = openpyxl.load_workbook(io.BytesIO(packs.render(acme(db), "xlsx")))
    periods_written = [row[0].value for row in book["Trend"].iter_rows(min_row=2)]
    assert periods_written
    assert all(isinstance(p, dt.datetime) for p in periods_written)


def test_data_quality_notes_once_and_only_while_unresolved(db, tmp_path):
    from dashboard.importer.prepare import prepare_file as prepare

    bad = tmp_path / "bad.csv"
    bad.write_text("case_id,customer,severity,created_at\nB01,Acme,P9,2026-03-03 10:00\n")
    for _ in range(3):
        import_prepared(db, [prepare(bad, POLICY)], POLICY)
    notes = acme(db).data_quality
    assert (notes["case_id"] == "B01").sum() == 1  # imported three times: one note
    fixed = tmp_path / "fixed.csv"
    fixed.write_text("case_id,customer,severity,created_at\nB01,Acme,P4,2026-03-03 10:00\n")
    import_prepared(db, [prepare(fixed, POLICY)], POLICY)
    assert "B01" not in set(acme(db).data_quality["case_id"])  # stored since: resolved


# -- issue 13, edges: a customer named like an address -----------------------------------------

LINKY = "https://evil.example/x"


def test_a_customer_named_like_an_address_is_no_link_in_any_pack(db, tmp_path):
    """The HTML has no <a> (browsers link no plain text), the workbook no hyperlink and the PDF
    no link annotation: the name is text in each, as written."""
    from dashboard.importer.prepare import prepare_file

    path = tmp_path / "linky.csv"
    header = "case_id,customer,severity,created_at,first_response_at,subject\n"
    path.write_text(f"{header}W01,{LINKY},P1,2026-03-03 10:00,2026-03-03 16:00,www.evil.example\n")
    import_prepared(db, [prepare_file(path, POLICY)], POLICY, source="linky")
    pack = content.build(db, POLICY, LINKY, PERIOD, fixture.AS_OF)
    html = to_html.render(pack)
    assert LINKY in html
    assert "<a " not in html.lower()
    assert "href" not in html.lower()
    book = openpyxl.load_workbook(io.BytesIO(packs.render(pack, "xlsx")))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert any(c.value == LINKY for c in cells)
    assert not [c.coordinate for c in cells if c.hyperlink is not None]
    pdf = packs.render(pack, "pdf")
    assert b"/URI" not in pdf
    assert b"/Link" not in pdf
    assert LINKY in pdf_text(pdf, "linky")


# -- the optional reconciliation section ----------------------------------------------------------


@pytest.fixture
def reconciled(engine, tmp_path):
    """tests/test_reconcile.py's hand-built cases, each disagreement with its own cause."""
    from dashboard.importer.prepare import prepare_file
    from tests.test_reconcile import write_cases

    path = tmp_path / "with_verdicts.csv"
    write_cases(path)
    import_prepared(engine, [prepare_file(path, POLICY)], POLICY, source="helpdesk")
    return engine


def reconciled_pack(engine, **kwargs) -> content.ReviewPack:
    period = periods.Period(dt.date(2025, 12, 1), dt.date(2026, 3, 20))
    as_of = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
    return content.build(engine, POLICY, "Acme", period, as_of, **kwargs)


def test_a_pack_can_add_our_verdicts_beside_the_helpdesks(reconciled, tmp_path, database_url,
                                                          capsys):  # fmt: skip
    from dashboard.reconcile import LABELS
    from tests.test_reconcile import EXPECTED_CAUSE

    assert reconciled_pack(reconciled).reconciliation is None  # only when asked for
    assert "reconciliation" not in parsed(to_html.render(reconciled_pack(reconciled))).tables
    pack = reconciled_pack(reconciled, reconciliation=True)
    tables = parsed(to_html.render(pack)).tables
    matrix = {r[0]: r[1:] for r in tables["reconciliation-matrix"][1:]}
    assert matrix["L1 Urgent"] == ["11", "1", "1", "7", "2", "18.2%"]
    assert matrix["All"][0] == "14"
    assert "L2 High" not in matrix  # nothing compared: no row
    cases = {r[0]: r[-1] for r in tables["reconciliation-cases"][1:]}
    # no zone is tried in a pack but those its exports imply: TIME-ZONE is another severity's
    assert cases == {case: LABELS[cause] for case, cause in EXPECTED_CAUSE.items()
                     if cause != "time_zone"} | {
                         "TIME-ZONE": "Another severity's target (level 2)",
                         "SEVERITY": "Another severity's target (level 2)",
                     }  # fmt: skip
    named = [c if c != "time_zone" else "other_severity" for c in EXPECTED_CAUSE.values()]
    assert {r[0]: r[1] for r in tables["reconciliation-causes"][1:]} == {
        LABELS[cause]: str(named.count(cause)) for cause in named
    }
    flat = " ".join(pdf_text(packs.render(pack, "pdf"), "reconciled").split())
    assert "Our verdicts beside the helpdesk's" in flat
    assert "they agree on 21.4%" in flat  # 3 of 14
    book = openpyxl.load_workbook(io.BytesIO(packs.render(pack, "xlsx")))
    sheet = book["Disagreements"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(2, values_only=True)}
    assert rows["CLOCK"]["helpdesk_hours"] == 25.0  # a number to compute with
    assert rows["NO-HOLIDAYS"]["cause"] == "no_holidays"
    out = tmp_path / "acme.html"
    assert main(["report", "--customer", "Acme", "--from", "2025-12-01", "--to", "2026-03-20",
                 "--as-of", "2026-03-20T12:00:00Z", "--db", database_url, "-o", str(out),
                 "--reconciliation"]) == 0  # fmt: skip
    assert out.read_bytes() == packs.render(pack, "html")
