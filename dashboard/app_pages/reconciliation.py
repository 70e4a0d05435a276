"""Reconciliation: our first-response verdicts beside the helpdesk's own, and why they differ
(dashboard/reconcile.py; `sla-dashboard reconcile` prints the same)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from dashboard import charts, readable, ui, views
from dashboard.reconcile import CAUSES, LABELS

MATRIX_HEADERS = {
    "severity": "Severity",
    "compared": "Compared",
    "both_met": "Both met",
    "both_breached": "Both breached",
    "we_met_they_breached": "Met for us, breached for the helpdesk",
    "we_breached_they_met": "Breached for us, met for the helpdesk",
    "agreement": "Agreement",
}


def page() -> None:
    view = ui.current_view()
    st.title("Reconciliation")
    st.caption(
        f"{view.period.label()} · cases with both our first-response verdict and the helpdesk's "
        "own (met or breached). Each disagreement is re-scored under hypotheses in turn; the "
        "first that makes the two agree is its cause."
    )
    zone = st.text_input("Also try the policy's hours in the time zone", key="zone",
                         bind="query-params", placeholder="America/New_York",
                         help="An IANA zone the helpdesk may count its hours in.")  # fmt: skip
    zones: tuple[str, ...] = ()
    if zone.strip():
        try:
            ZoneInfo(zone.strip())
            zones = (zone.strip(),)
        except (ZoneInfoNotFoundError, ValueError):
            ui.warning(f"{zone.strip()!r} is not a time zone such as America/New_York: not tried.")
    found = ui.figures(views.reconciliation_page, view, zones)
    if not found.totals.compared:
        st.info(
            "Nothing to compare: no case of this period and filter carries both verdicts. "
            "Exports with the helpdesk's own SLA result (ServiceNow's made_sla, Freshdesk's SLA "
            f"status, a vendor_sla column) are compared here. {found.no_vendor_verdict:,} "
            "case(s) have our verdict alone."
        )
        return
    headline = found.headline()
    if headline:
        ui.info(headline)
    names = ui.severity_names()
    rows = [{"severity": names[s.level], **s.as_json()} for s in found.severities]
    rows.append({"severity": "All", **found.totals.as_json()})
    matrix = pd.DataFrame(rows).drop(columns=["level"])
    matrix["agreement"] = matrix["agreement"].map(readable.share)
    st.subheader("Agreement per severity")
    ui.table(matrix.rename(columns=MATRIX_HEADERS), "reconciliation-matrix")
    apart = ", ".join(f"{n:,} {k}" for k, n in found.not_compared.items() if n)
    st.caption(f"Not compared: {found.no_vendor_verdict:,} without the helpdesk's verdict"
               + (f"; {apart}." if apart else "."))  # fmt: skip
    causes = pd.DataFrame(found.as_json()["causes"])
    if not causes.empty:
        st.subheader("Why they differ")
        ui.chart(charts.reconcile_causes(causes), "reconciliation-causes")
        st.subheader(f"Disagreeing cases ({len(found.disagreements):,})")
        shown = found.disagreements.assign(
            severity=found.disagreements["severity"].map(names),
            ours=found.disagreements["response_status"],
            helpdesk=found.disagreements["vendor_sla"],
            our_business_time=found.disagreements["response_business_seconds"].map(
                readable.duration
            ),
            meaning=found.disagreements["cause"].map(CAUSES),
            why=found.disagreements["cause"].map(LABELS),
        )[["case_id", "source", "customer", "severity", "created_at", "first_response_at",
           "ours", "helpdesk", "our_business_time", "vendor_response_minutes", "why", "meaning",
           "cause"]]  # fmt: skip
        ui.table(shown.head(views.SHOWN_ROWS), "reconciliation-disagreements", height=360)
        st.caption("A case's business-time ledger: the SLA attainment page, '...or any case id'.")


ui.guarded(page)
