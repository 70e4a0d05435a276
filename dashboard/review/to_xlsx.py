"""The pack's tables as an XLSX workbook: one sheet a table, real numbers and dates.

Text from the data stays text: a customer or subject written like a formula ("=HYPERLINK(...)")
is stored as a string cell, never as a formula a spreadsheet would run. Instants are written
as local date-times of the policy's zone (spreadsheets have no time zones), the zone named
in the column header.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.utils import get_column_letter

from dashboard import readable
from dashboard.reconcile import LABELS
from dashboard.review import wording
from dashboard.review.content import ReviewPack
from dashboard.review.summary import summary

PERCENT = "0.0%"
HOURS = "0.0000"  # a second is 0.0003 h: a 20-second overshoot must not read as 0.01 or 0.00
WHEN = "yyyy-mm-dd hh:mm"
DAY = "yyyy-mm-dd"
EXCEL_CELL_CHARACTERS = 32_767


def sheets(pack: ReviewPack) -> dict[str, pd.DataFrame]:
    zone = pack.policy.calendar.timezone
    now, before = pack.headline.totals, pack.previous_headline.totals
    said = summary(pack)
    # The summary's figures as numbers, each with its sentence, under the pack's facts.
    figures = pd.DataFrame(
        {
            "item": [
                "attainment",
                "judged cases (met + breached)",
                "previous attainment",
                "previous judged cases",
                "change (percentage points)",
                "breaches",
                f"overdue at ({zone})",
                "overdue cases",
                "in words: attainment",
                "in words: breaches",
                "in words: overdue",
                "in words: change",
            ],
            "value": [
                now.attainment,
                now.met + now.breached,
                before.attainment,
                before.met + before.breached,
                wording.points(now.attainment, before.attainment) or None,
                len(pack.breaches),
                _naive(pack.local(pack.period_end)),
                len(pack.overdue),
                *said.sentences(),
            ],
        }
    )
    summary_sheet = pd.DataFrame(
        {
            "item": [
                "customer",
                "first day",
                "last day",
                "previous first day",
                "previous last day",
                f"judged as of ({zone})",
                "policy",
                "policy rules",
                "business hours",
            ],
            "value": [
                pack.customer,
                pack.period.first,
                pack.period.last,
                pack.previous.first,
                pack.previous.last,
                _naive(pack.local(pack.as_of)),
                pack.policy.name,
                pack.policy.fingerprint,
                pack.business_hours,
            ],
        }
    )
    breaches = pack.breaches.copy()
    # The hours stay numbers to compute with; beside them, as the pages and the PDF say them.
    over = breaches["business_hours"] - breaches["target_hours"]
    spelled = readable.hours_column(over)
    breaches.insert(breaches.columns.get_loc("explanation"), "overshoot", spelled)
    for column in ("created_at", "first_response_at"):
        breaches[column] = breaches[column].map(lambda t: _naive(_local(t, zone)))
    breaches = breaches.rename(
        columns={
            "created_at": f"created_at ({zone})",
            "first_response_at": f"first_response_at ({zone})",
        }
    )
    extra = {} if pack.reconciliation is None else _reconciliation(pack)
    overdue = pack.overdue.copy()
    for column in ("created_at", "response_deadline", "response_breach_at"):
        overdue[column] = overdue[column].map(lambda t: _naive(_local(t, zone)))
    overdue = overdue.rename(
        columns={
            c: f"{c} ({zone})" for c in ("created_at", "response_deadline", "response_breach_at")
        }
    )
    return {
        "Summary": pd.concat([summary_sheet, figures], ignore_index=True),
        "Policy": pack.policy_table,
        "Severities": pack.severities,
        "Trend": pack.trend[
            ["period", "severity", "cases", "met", "breached", "pending", "attainment"]
        ].assign(period=pack.trend["period"].map(_period)),
        "Breaches": breaches,
        "Backlog": pack.backlog,
        "Overdue": overdue,
        "Ageing": pack.ageing.assign(bucket=pack.ageing["bucket"].astype(str)),
        "Dismissals": pack.dismissals,
        "Channels": pack.channels,
        "Data quality": pack.data_quality,
        **extra,
    }


def _reconciliation(pack: ReviewPack) -> dict[str, pd.DataFrame]:
    """Our verdicts beside the helpdesk's: the matrix per severity and the disagreeing cases
    (numbers and instants as such, the cause in words beside its key)."""
    found = pack.reconciliation
    assert found is not None
    zone = pack.policy.calendar.timezone
    matrix = pd.DataFrame([s.as_json() for s in (*found.severities, found.totals)])
    matrix["level"] = matrix["level"].astype("object").where(matrix["level"].notna(), "all")
    cases = found.disagreements
    shown = pd.DataFrame(
        {
            "case_id": cases["case_id"],
            "severity": cases["severity"],
            f"created_at ({zone})": cases["created_at"].map(lambda t: _naive(_local(t, zone))),
            f"first_response_at ({zone})": cases["first_response_at"].map(
                lambda t: _naive(_local(t, zone))
            ),
            "ours": cases["response_status"],
            "helpdesk": cases["helpdesk"],
            "helpdesk_verdict_from": cases["basis"],
            "our_business_hours": cases["response_business_seconds"] / 3600,
            "helpdesk_hours": cases["helpdesk_seconds"] / 3600,
            "target_hours": cases["target_seconds"] / 3600,
            "cause": cases["cause"],
            "why": cases["cause"].map(LABELS),
        }
    )
    return {"Reconciliation": matrix, "Disagreements": shown}


def render(pack: ReviewPack) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, frame in sheets(pack).items():
        sheet = book.create_sheet(name)
        sheet.append([str(c) for c in frame.columns])
        for record in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in record])
        for column, header in enumerate(frame.columns, start=1):
            style = _style(str(header))
            width = max(len(str(header)), 10)
            for row in range(2, sheet.max_row + 1):
                cell = sheet.cell(row, column)
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING  # '=...' stays text, never a formula
                    width = max(width, min(len(cell.value), 80))
                elif style and isinstance(cell.value, float | int):
                    cell.number_format = style
                elif isinstance(cell.value, dt.datetime):
                    cell.number_format = WHEN if cell.value.time() != dt.time() else DAY
            sheet.column_dimensions[get_column_letter(column)].width = width + 2
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write(pack: ReviewPack, path: Path) -> None:
    path.write_bytes(render(pack))


def _cell(value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value


def _text(value: str) -> str:
    """Text a workbook can hold: control characters XML forbids shown as \\xNN, and no more
    than the 32,767 characters of an Excel cell (the cut said in the cell)."""
    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if len(value) > EXCEL_CELL_CHARACTERS:
        cut = "... [cut: longer than an Excel cell holds]"
        value = value[: EXCEL_CELL_CHARACTERS - len(cut)] + cut
    return value


def _style(header: str) -> str | None:
    if "attainment" in header or header == "rate":
        return PERCENT
    if header.endswith("_hours"):
        return HOURS
    return None


def _period(value: str):
    """A week (its Monday) or a day as a date, a month as its first day; quarters stay text."""
    text = str(value)
    if len(text) == 10:
        return dt.datetime.fromisoformat(text)
    if len(text) == 7 and text[4] == "-" and text[5:].isdigit():
        return dt.datetime(int(text[:4]), int(text[5:]), 1)
    return text


def _local(value, zone: str):
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).tz_convert(zone).to_pydatetime()


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(tzinfo=None)
