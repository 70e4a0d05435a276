"""Reconciliation: our first-response verdicts beside the helpdesk's own, and why they differ
(dashboard/reconcile.py; `sla-dashboard reconcile` prints the same)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from dashboard import charts, readable, ui, views
from dashboard.reconcile import BASES, CAUSES, MATRIX_LABELS, STATED, Reconciliation, why

MATRIX_HEADERS = {"severity": "Severity", "source": "Source", **MATRIX_LABELS}


def page() -> None:
    view = ui.current_view()
    st.title("Reconciliation")
    st.caption(
        f"{view.period.label()} · cases with both our first-response verdict and the helpdesk's "
        "own (met or breached). Each disagreement is re-scored under hypotheses in turn; the "
        "first that makes the two agree is its cause."
    )
    zone = st.text_input("Also try the policy's hours in the time zone", key="zone",
                           bind="query-params", placeholder="e.g. America/New_York",
                           help="An IANA zone the helpdesk may count its hours in. The zone "
                           "each export was read in is tried as well.")  # fmt: skip
    zones: tuple[str, ...] = ()
    if zone.strip():
        try:
            ZoneInfo(zone.strip())
            zones = (zone.strip(),)
        except (ZoneInfoNotFoundError, ValueError):
            ui.warning(f"{zone.strip()!r} is not a time zone such as America/New_York: not tried.")
    # one source or several: the sidebar's Sources filter, like every page
    found = ui.figures(views.reconciliation_page, view, zones)
    source = ", ".join(view.filters.sources) or None
    if not found.totals.compared:
        st.info(
            "Nothing to compare: no case of this period and filter carries both verdicts. "
            "Exports with the helpdesk's own SLA result (ServiceNow's made_sla, Freshdesk's "
            "first response status, Jira Service Management's time to first response, a "
            "vendor_sla column) or its response time (Zendesk's first reply time) are compared "
            f"here. {found.no_vendor_verdict:,} case(s) have our verdict alone."
        )
        return
    headline = found.headline()
    if headline:
        ui.info(headline)
    _matrices(found, source)
    causes = pd.DataFrame(found.as_json()["causes"])
    if causes.empty:
        st.success("Every compared case has the same verdict for us and for the helpdesk.")
        return
    st.subheader("Why they differ")
    ui.chart(charts.reconcile_causes(causes), "reconciliation-causes")
    if found.zones:
        st.caption(f"Time zones tried: {', '.join(found.zones)}.")
    _disagreements(found, view)


def _matrices(found: Reconciliation, source: str | None) -> None:
    names = ui.severity_names()
    rows = [{"severity": names[s.level], **s.as_json()} for s in found.severities]
    rows.append({"severity": "All", **found.totals.as_json()})
    st.subheader("Agreement per severity" + (f" · {source}" if source else ""))
    ui.table(_readable(pd.DataFrame(rows).drop(columns=["level"])), "reconciliation-matrix")
    apart = ", ".join(f"{n:,} {k}" for k, n in found.not_compared.items() if n)
    st.caption(f"Not compared: {found.no_vendor_verdict:,} without the helpdesk's verdict"
               + (f"; {apart}." if apart else "."))  # fmt: skip
    if found.figures_note():
        st.caption(f"{found.figures_note()}.")
    if len(found.sources) > 1:
        st.subheader("Agreement per source")
        rows = [s.as_json() for s in found.sources]
        rows.append({"source": "All", **found.totals.as_json()})
        ui.table(_readable(pd.DataFrame(rows)), "reconciliation-sources")


def _readable(matrix: pd.DataFrame) -> pd.DataFrame:
    return matrix.assign(agreement=matrix["agreement"].map(readable.share)).rename(
        columns=MATRIX_HEADERS
    )


def _disagreements(found: Reconciliation, view: views.View) -> None:
    cases = found.disagreements  # the first views.SHOWN_ROWS: every one is counted
    names = ui.severity_names()
    st.subheader(f"Disagreeing cases ({found.disagreeing:,})")
    shown = pd.DataFrame(
        {
            "Case": cases["case_id"],
            "Severity": cases["severity"].map(names),
            "Why": [why(c, d) for c, d in zip(cases["cause"], cases["cause_detail"], strict=True)],
            "Ours": cases["response_status"],
            "Helpdesk's": cases["helpdesk"],
            "Target": readable.durations(cases["target_seconds"]),
            "Our business time": readable.durations(cases["response_business_seconds"]),
            "Under that cause": [
                _under(t, held, own)
                for t, held, own in zip(
                    cases["cause_seconds"],
                    cases["cause_target_seconds"],
                    cases["target_seconds"],
                    strict=True,
                )
            ],
            "Helpdesk's time": [
                f"{readable.duration(t)} ({clock})" if clock else ""
                for t, clock in zip(
                    cases["helpdesk_seconds"], cases["helpdesk_time_kind"], strict=True
                )
            ],
            "Customer": cases["customer"],
            "Created": cases["created_at"],
            "First response": cases["first_response_at"],
            "Source": cases["source"],
            "Helpdesk's verdict from": cases["basis"].map(BASES),
        }
    )
    # Columns with nothing to tell are left out (the table fits a 1,500 px window); what each
    # cause means is in the chart's tooltips and in the sentence above a chosen case's ledger
    if (cases["basis"] == STATED).all():
        shown = shown.drop(columns=["Helpdesk's verdict from"])
    if cases["helpdesk_seconds"].isna().all():  # no export of these gives the helpdesk's time
        shown = shown.drop(columns=["Helpdesk's time"])
    if cases["source"].nunique() == 1:
        shown = shown.drop(columns=["Source"])
    ui.table(shown, "reconciliation-disagreements", height=360)
    if found.disagreeing > len(cases):
        st.caption(f"The first {len(cases):,} are shown; narrow the filters for the rest.")
    st.subheader("Our ledger of a disagreeing case")
    choices = ui.case_choices(cases)
    chosen = st.selectbox("Disagreeing case", choices, index=None, key="reconcile_case",
                          placeholder="Pick a case to see how we counted its time")  # fmt: skip
    if not chosen:
        return
    case_id, source = ui.chosen_case(chosen)
    row = cases[(cases["case_id"] == case_id) & (cases["source"] == source)].iloc[0]
    seconds = row["helpdesk_seconds"]
    figure = (
        "" if pd.isna(seconds) else f"{readable.duration(seconds)} ({row['helpdesk_time_kind']})"
    )
    basis = "" if row["basis"] == STATED else f" ({BASES[row['basis']]})"
    said = f"The helpdesk says **{row['helpdesk']}**{basis}" + (
        f", its time {figure}" if figure else ""
    )
    under = row["cause_seconds"]
    counted = (
        f" Counted that way, the time is {readable.duration(under)} against a "
        f"{readable.duration(row['cause_target_seconds'])} target."
        if pd.notna(under) and row["cause"] not in ("helpdesk_clock", "near_deadline")
        else ""
    )
    st.markdown(
        f"{said}; we say **{row['response_status']}**. Cause: {CAUSES[row['cause']]}.{counted}"
    )
    ui.case_ledger(case_id, source, ui.policy(), view)


def _under(seconds: float, held_to: float, target: float) -> str:
    """The time the cause counts; with the target it holds it to, where not the case's own."""
    if pd.isna(seconds):
        return readable.MISSING
    other = f" against {readable.duration(held_to)}" if held_to != target else ""
    return readable.duration(seconds) + other


ui.guarded(page)
