"""A Zammad reporting download, as Zammad writes it (lib/excel_sheet.rb, lib/excel_sheet/ticket.rb).

An .xlsx workbook named .xls: a title on row 1, the header on row 3, real date-time cells in the
report's zone, and a footer naming that zone two rows below the data. Built here rather than
committed so the fixture stays readable in review.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

HEADER = [
    "#", "Title", "State", "Priority", "Group", "Owner", "Customer", "Organization",
    "Create Channel", "Sender", "Tags", "Time Units Total", "Created At", "Updated At",
    "Closed At", "Close Escalation At", "Close In Min", "Close Diff In Min", "First Response At",
    "First Response Escalation At", "First Response In Min", "First Response Diff In Min",
    "Update Escalation At", "Update In Min", "Update Diff In Min", "Last Contact At",
    "Last Contact Agent At", "Last Contact Customer At", "Article Count", "Escalation At",
]  # fmt: skip


def ticket(number, title, state, priority, customer, organization, channel, tags, created,
           first_response=None, closed=None, response_min=None, response_diff=None):  # fmt: skip
    row = dict.fromkeys(HEADER)
    row.update(
        {
            "#": number,
            "Title": title,
            "State": state,
            "Priority": priority,
            "Group": "Flux Support",
            "Owner": "-" if first_response is None else "Priya Nair",
            "Customer": customer,
            "Organization": organization,
            "Create Channel": channel,
            "Sender": "Customer",
            "Tags": tags,
            "Time Units Total": 0.0,
            "Created At": created,
            "Updated At": closed or first_response or created,
            "Closed At": closed,
            "First Response At": first_response,
            "First Response In Min": response_min,
            "First Response Diff In Min": response_diff,
            "Article Count": 2,
        }
    )
    return [row[h] for h in HEADER]


TICKETS = [
    # Mon 2 Mar 2026 10:15 in Berlin (09:15 in London), answered 11:50 Berlin
    ticket("72001", "Helm upgrade loops", "closed", "3 high", "Ana Silva", "Northwind Logistics",
           "web", "helm", dt.datetime(2026, 3, 2, 10, 15), dt.datetime(2026, 3, 2, 11, 50),
           dt.datetime(2026, 3, 3, 12, 0), 95, 385),
    # Fri 6 Mar 18:30 Berlin (17:30 London), answered Mon 9 Mar 11:00 Berlin (10:00 London)
    ticket("72002", "Reconciliation slow", "closed", "2 normal", "Bo Chen", "Acme Payments",
           "email", "", dt.datetime(2026, 3, 6, 18, 30), dt.datetime(2026, 3, 9, 11, 0),
           dt.datetime(2026, 3, 9, 16, 0), 90, -30),
    # removed by the agents: dismissed (other)
    ticket("72003", "Spam", "removed", "1 low", "Nobody", "-", "email", "",
           dt.datetime(2026, 3, 10, 12, 0), None, dt.datetime(2026, 3, 10, 12, 5)),
    # summer (CEST, UTC+2): 1 Jun 10:00 Berlin is 09:00 in London; answered 12:00 Berlin
    ticket("72004", "Ingress 502s", "closed", "2 normal", "Dev Patel", "Initech Cloud", "phone",
           "out_of_scope_not_flux", dt.datetime(2026, 6, 1, 10, 0), dt.datetime(2026, 6, 1, 12, 0),
           dt.datetime(2026, 6, 1, 15, 0), 120, 600),
    # still open and unanswered
    ticket("72005", "How to shard controllers", "open", "1 low", "Cleo Martin", "Globex Retail",
           "web", "", dt.datetime(2026, 6, 2, 9, 0)),
]  # fmt: skip


def write_report(path: Path, tickets=TICKETS, zone: str = "Europe/Berlin") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tickets"
    sheet.append(["-all- (Created)"])
    sheet.append([])
    sheet.append(HEADER)
    for row in tickets:
        sheet.append(row)
    sheet.append([])
    sheet.append([f"Timezone: {zone}"])
    workbook.save(path)
    return path
