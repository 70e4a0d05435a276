"""The pack as a PDF with the HTML's content (dashboard/review/layout.py), A4.

reportlab lays it out (pure pip wheels, no system libraries, unlike HTML-to-PDF engines that
need Pango or a browser); the trend chart is the same Vega-Lite chart, rendered to PNG by
vl-convert at print resolution. reportlab's Paragraph reads a small markup language, so every
text from the data is XML-escaped before it is given one.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dashboard.review import layout
from dashboard.review.content import ReviewPack

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=9, leading=11.5)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7, leading=9)  # the 9-column table
NOTE = ParagraphStyle("note", parent=BODY, fontSize=8, textColor=colors.HexColor("#616161"))
H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontSize=17)
H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=12, spaceBefore=8, keepWithNext=1)
WIDTH = A4[0] - 28 * mm


def render(pack: ReviewPack) -> bytes:
    t = layout.text(pack)
    story: list = [
        Paragraph(f"Support review: {_x(pack.customer)}", H1),
        Paragraph(
            f"Cases created {_x(t['period'])} (previous period for comparison: "
            f"{_x(t['previous'])}). Figures judged as of {_x(t['as_of'])}; backlog at "
            f"{_x(t['period_end'])}. Policy: {_x(pack.policy.name)} (rules "
            f"{_x(pack.policy.fingerprint)}). {_x(t['provenance'])}",
            NOTE,
        ),
        Paragraph("Summary", H2),
        *[Paragraph(f"&bull; {_x(sentence)}", BODY) for sentence in t["summary"]],
        Paragraph("The policy", H2),
        _policy_table(t),
        Paragraph(_x(pack.business_hours), BODY),
    ]
    if t["scope_in"]:
        story.append(Paragraph(f"<b>In scope:</b> {_x(t['scope_in'])}", BODY))
    story += [Paragraph(f"&bull; {_x(words)}", BODY) for words in t["scope_out"]]

    story.append(Paragraph("Response times against target", H2))
    totals = t["totals"]
    rows = [
        [
            r["severity"],
            r["target"],
            r["cases"],
            r["met"],
            r["breached"],
            r["pending"],
            # this period above the previous one: a column each would leave no room for a
            # duration to the second on A4
            _with_change(r["attainment"], r["previous_attainment"], r["change"]),
            (r["median"], f"prev. {r['previous_median']}"),
            (r["p90"], f"prev. {r['previous_p90']}"),
        ]
        for r in t["severity_rows"]
    ]
    rows.append(
        [
            "All",
            "",
            totals["cases"],
            totals["met"],
            totals["breached"],
            totals["pending"],
            _with_change(totals["attainment"], totals["previous_attainment"], totals["change"]),
            "",
            "",
        ]
    )
    story.append(
        _table(
            [
                "Severity",
                "Target",
                "Cases",
                "Met",
                "Breached",
                "Pending",
                "Attainment",
                "Median",
                "p90",
            ],
            rows,
            widths=[0.12, 0.09, 0.08, 0.07, 0.1, 0.09, 0.13, 0.16, 0.16],
            style=SMALL,
        )
    )
    story.append(
        Paragraph(
            "Attainment = met / (met + breached); change in percentage points, shown only "
            "where both periods have a rate and it moved. Median and p90: business time to "
            "first response of the answered cases."
            + (f" {_x(t['small_note'])}" if t["small_note"] else ""),
            NOTE,
        )
    )
    png = layout.trend_image(pack, "png")
    if png:
        image = Image(io.BytesIO(png))
        scale = WIDTH / image.imageWidth
        image.drawWidth, image.drawHeight = WIDTH, image.imageHeight * scale
        story.append(KeepTogether([Spacer(1, 3 * mm), image,
                                   Paragraph(_x(t["trend_note"]), NOTE)]))  # fmt: skip

    story.append(Paragraph("Resolution times", H2))
    story.append(_resolution_table(t))
    story.append(
        Paragraph(
            "Median and p90: business hours from creation to resolution, less pauses, of the "
            f"cases created in the period and resolved by {_x(t['as_of'])}."
            + (
                " Attainment = met / (met + breached) against the severity's resolution "
                "target; an open case is judged once resolved."
                if t["resolution_targets"]
                else ""
            ),
            NOTE,
        )
    )

    story.append(Paragraph(f"Breaches ({len(t['breach_rows'])})", H2))
    if t["breach_rows"]:
        story.append(
            _table(
                ["Case", "Severity", "Subject", "Over by", "Why"],
                [
                    [r["case_id"], r["severity"], r["subject"], r["overshoot"], r["explanation"]]
                    for r in t["breach_rows"]
                ],
                widths=[0.1, 0.1, 0.22, 0.1, 0.48],
            )
        )
    else:
        story.append(Paragraph("No case breached its response target in this period.", BODY))

    story.append(Paragraph("Backlog at period end", H2))
    story.append(
        _table(
            ["Severity", "Open cases", "Overdue"],
            [[r["severity"], r["open_cases"], r["overdue"]] for r in t["backlog_rows"]],
            widths=[0.4, 0.3, 0.3],
        )
    )
    story.append(Paragraph(OVERDUE_NOTE.format(when=_x(t["period_end"])), NOTE))
    if t["overdue_rows"]:
        story.append(
            _table(
                ["Overdue case", "Severity", "Subject", "Created", "Response due by"],
                [[r["case_id"], r["severity"], r["subject"], r["created"], r["deadline"]]
                 for r in t["overdue_rows"]],
                widths=[0.14, 0.13, 0.31, 0.21, 0.21],
            )
        )  # fmt: skip
    if t["ageing_rows"]:
        story.append(
            _table(
                ["Age (business days)", "Severity", "Open cases"],
                [[r["bucket"], r["severity"], r["cases"]] for r in t["ageing_rows"]],
                widths=[0.34, 0.33, 0.33],
            )
        )

    story.append(Paragraph("Dismissals", H2))
    story.append(
        _table(
            ["Reason", "Dismissed", "Rate", "The policy says"],
            [
                [r["reason"], r["dismissed"], r["rate"], r["policy_wording"]]
                for r in t["dismissal_rows"]
            ],
            widths=[0.24, 0.12, 0.12, 0.52],
        )
    )

    story.append(Paragraph("Channels", H2))
    story.append(
        _table(
            ["Severity", "Channel", "Cases", "Note"],
            [[r["severity"], r["channel"], r["cases"], r["note"]] for r in t["channel_rows"]],
            widths=[0.25, 0.25, 0.15, 0.35],
        )
    )

    if t["reconciliation"] is not None:
        _reconciliation(story, t["reconciliation"])

    story.append(Paragraph("Data quality", H2))
    if t["quality_rows"]:
        story.append(
            _table(
                ["What", "Where", "Case", "Detail"],
                [[r["kind"], r["where"], r["case_id"], r["detail"]] for r in t["quality_rows"]],
                widths=[0.15, 0.25, 0.15, 0.45],
            )
        )
    else:
        story.append(Paragraph("Every row of this customer's exports was read and judged.", BODY))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Support review: {pack.customer}",
        author="sla-dashboard",
    )
    footer = f"Support review: {pack.customer}, {t['period']}"
    document.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, footer=footer, **k))
    return buffer.getvalue()


OVERDUE_NOTE = (
    "Open and overdue at {when}, whenever created. Overdue: open, unanswered and past its "
    "response deadline at that instant (the period's end, or the as-of instant when the "
    "period runs to it), so a past period's pack says the same whenever it is made."
)
FOOTER_FONT = ("Helvetica", 7)


class _NumberedCanvas(canvas.Canvas):
    """Each page's running footer, 'Support review: Acme, <period> - page 2 of 5', drawn in
    the bottom margin once the page count is known: a footer never makes a page of its own."""

    def __init__(self, *args, footer: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(*FOOTER_FONT)
            self.setFillColor(colors.HexColor("#757575"))
            self.drawString(14 * mm, 9 * mm, self._footer[:150])
            self.drawRightString(A4[0] - 14 * mm, 9 * mm, f"page {number} of {len(self._pages)}")
            super().showPage()
        super().save()


def _with_change(now: str, before: str, change: str) -> tuple[str, ...]:
    """This period's rate above the previous one, and the change when there is one."""
    return (now, f"prev. {before}", change) if change else (now, f"prev. {before}")


def _reconciliation(story: list, r: dict) -> None:
    story.append(Paragraph("Our verdicts beside the helpdesk's", H2))
    if not r["compared"]:
        story.append(Paragraph("No case of this period carries the helpdesk's own verdict: "
                               "nothing to compare.", BODY))  # fmt: skip
        return
    said = (f"{r['compared']} case(s) carry both our first-response verdict and the "
            f"helpdesk's own: they agree on {r['agreement']}."
            + (f" {r['headline']}." if r["headline"] else ""))  # fmt: skip
    story.append(Paragraph(_x(said), BODY))
    if r["from_figures"]:
        story.append(Paragraph(_x(r["from_figures"]), BODY))
    labels = r["matrix_labels"]
    story.append(
        _table(
            ["Severity", *labels.values()],
            [[x["severity"], *(x[key] for key in labels)] for x in r["severity_rows"]],
            widths=[0.16, 0.11, 0.11, 0.12, 0.18, 0.18, 0.14],
        )
    )
    if r["cause_rows"]:
        story.append(Spacer(1, 2 * mm))
        story.append(
            _table(
                ["Why they differ", "Cases", "Share", "Meaning"],
                [[x["cause"], x["cases"], x["share"], x["meaning"]] for x in r["cause_rows"]],
                widths=[0.22, 0.1, 0.1, 0.58],
            )
        )
        story.append(Spacer(1, 2 * mm))
        story.append(
            _table(
                ["Case", "Severity", "Ours", "Helpdesk's", "Our business time",
                 "Helpdesk's time", "Why"],
                [[x["case_id"], x["severity"], x["ours"], x["helpdesk"], x["our_time"],
                  x["helpdesk_time"], x["why"]] for x in r["case_rows"]],
                widths=[0.14, 0.13, 0.1, 0.11, 0.14, 0.14, 0.24],
            )
        )  # fmt: skip


def _policy_table(t: dict) -> Table:
    if not t["resolution_targets"]:
        return _table(
            ["Severity", "Response target", "Impact"],
            [[r["severity"], r["target"], r["impact"]] for r in t["policy_rows"]],
            widths=[0.22, 0.2, 0.58],
        )
    return _table(
        ["Severity", "Response target", "Resolution target", "Impact"],
        [[r["severity"], r["target"], r["resolution_target"], r["impact"]]
         for r in t["policy_rows"]],
        widths=[0.2, 0.17, 0.17, 0.46],
    )  # fmt: skip


def _resolution_table(t: dict) -> Table:
    """Per severity, this period above the previous one in a cell (as the response table)."""
    targets = t["resolution_targets"]
    header = ["Severity", "Resolved"]
    header += ["Target", "Met", "Breached", "Attainment"] if targets else []
    header += ["Median", "p90"]
    rows = []
    for r in t["resolution_rows"]:
        row = [r["severity"], (r["resolved"], f"prev. {r['previous_resolved']}")]
        if targets:
            row += [r["target"], r["met"], r["breached"],
                    (r["attainment"], f"prev. {r['previous_attainment']}")]  # fmt: skip
        row += [(r["median"], f"prev. {r['previous_median']}"),
                (r["p90"], f"prev. {r['previous_p90']}")]  # fmt: skip
        rows.append(row)
    widths = ([0.14, 0.1, 0.1, 0.07, 0.1, 0.13, 0.18, 0.18] if targets
              else [0.2, 0.16, 0.32, 0.32])  # fmt: skip
    return _table(header, rows, widths=widths, style=SMALL if targets else CELL)


def write(pack: ReviewPack, path: Path) -> None:
    path.write_bytes(render(pack))


def _table(
    header: list[str],
    rows: list[list],
    widths: list[float] | None = None,
    style: ParagraphStyle = CELL,
) -> Table:
    cells = [[Paragraph(f"<b>{_x(h)}</b>", style) for h in header]]
    cells += [[Paragraph(_cell(v), style) for v in row] for row in rows]
    table = Table(
        cells,
        colWidths=[w * WIDTH for w in widths] if widths else None,
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#e0e0e0")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f5f5f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


PDF_CELL_CHARACTERS = 600  # a table row must fit on a page; the workbook keeps the full text


def _short(value) -> object:
    text = "" if value is None else str(value)
    if len(text) <= PDF_CELL_CHARACTERS:
        return value
    return text[: PDF_CELL_CHARACTERS - 40] + " ... [cut: the full text is in the XLSX pack]"


# A duration as readable spells it ('12h 00m', '1h 29m 37s'): kept on one line in a cell.
_DURATION = re.compile(r"-?\d+[hms]( \d\d[ms]){0,2}")


def _cell(value) -> str:
    """A cell's markup; a tuple is stacked, one value a line."""
    if isinstance(value, tuple):
        return "<br/>".join(_cell(part) for part in value)
    return _unbroken(_x(_short(value)))


def _unbroken(text: str) -> str:
    return text.replace(" ", "&nbsp;") if _DURATION.fullmatch(text) else text


def _x(value) -> str:
    """Data as text for a reportlab Paragraph (which would read <b>, <img> and &...; as markup)."""
    return escape("" if value is None else str(value))
