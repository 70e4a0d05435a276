"""Customers: one customer's figures beside everyone's, for account reviews."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, readable, ui, views
from dashboard.downloads import file_name
from dashboard.policy import REASON_LABELS
from dashboard.readable import beside
from dashboard.review import content, packs


def page() -> None:
    view = ui.current_view()
    policy = ui.policy()
    st.title("Customers")
    customers = list(ui.lookup(views.filter_options).customers)
    if not customers:
        st.info("No case names a customer yet.")
        return
    ui.unknown_in_link({"account": customers}, where=st)
    customer = st.selectbox("Customer", customers, key="account", bind="query-params")
    if customer is None:
        return
    _review_pack(customer, view, policy)
    # Cached apart: another sidebar filter leaves the customer's half as it was, another
    # customer leaves everyone's (views.customer_page reads both at once)
    data = views.customer_page_of(
        ui.figures(views.customer_figures, view.narrowed(customers=(customer,))),
        ui.figures(views.everyone_figures, view),
    )
    shown_name = ui.escaped(customer)
    everyone = "all cases" if ui.person().scope is None else "all the customers you may see"
    st.caption(
        f"{view.period.label()} · {shown_name} beside {everyone} under the same filters "
        "(the sidebar's customer choice does not narrow the comparison)."
        if not view.filters.customers
        else f"{view.period.label()} · beside the customers chosen in the sidebar."
    )
    _headline(data, shown_name, view)
    _severities(data.table)
    trend = data.trend
    if trend["attainment"].notna().any():
        ui.chart(
            charts.attainment_trend(trend, ui.severity_names(), goal=policy.attainment_goal),
            f"customer-{customer}-attainment",
        )
    _open_cases(data, customer, view)
    _breaches(data, customer, policy, view)
    _dismissals(data.dismissals, customer)
    _ranking(data.ranking, view)


def _headline(data: views.CustomerPage, shown_name: str, view) -> None:
    theirs, everyone = data.theirs, data.everyone
    mine, all_ = st.columns(2)
    for column, label, figures in ((mine, shown_name, theirs), (all_, "All", everyone)):
        totals = figures.totals
        column.metric(f"{label}: attainment", _judged_share(totals.attainment, totals),
                      help=f"{totals.met} met of {totals.met + totals.breached} judged "
                      f"(met or breached); {totals.cases} cases in the period.",
                      border=True)  # fmt: skip
    opened, overdue, dismissed = st.columns(3)
    opened.metric("Open now", f"{theirs.open_cases:,}", border=True,
                  help=f"Cases of {shown_name} open at {ui.local(view.as_of)}, whenever "
                  "created.")  # fmt: skip
    overdue.metric("Overdue now", f"{data.overdue:,}", border=True,
                   help="Open cases still unanswered past their response deadline, whenever "
                   "created (listed first below).")  # fmt: skip
    dismissals = theirs.dismissals
    dismissed.metric("Dismissal rate", readable.rate(dismissals.rate, dismissals.cases),
                     help=f"{dismissals.dismissed} of {dismissals.cases} cases in the period "
                     "dismissed as out of scope.", border=True)  # fmt: skip
    st.caption(_FEW_NOTE)


def _severities(table: pd.DataFrame) -> None:
    """The per-severity tables in people's words, verdicts then times: each rate with the
    cases behind it, everyone's figure in brackets (two tables: one would be cut at 1,500 px)."""
    hours = readable.hours
    levels = table["severity"].map(ui.severity_names())
    verdicts = {
        "Severity": levels,
        "Target": table["target_hours"].map(hours),
        "Cases (all)": beside(table["cases"], table["all_cases"], str),
        "Met": table["met"],
        "Breached": table["breached"],
        "Pending": table["pending"],
        "Unscored": table["unscored"],
        "Attainment": _shares(table["attainment"], table["met"] + table["breached"]),
        "All: attainment": _shares(table["all_attainment"],
                                   table["all_met"] + table["all_breached"]),
    }  # fmt: skip
    st.markdown("**First-response verdicts**")
    ui.table(
        pd.DataFrame(verdicts),
        "customer-severities",
        column_config=ui.narrow("Target", "Met", "Breached", "Pending", "Unscored"),
    )
    times = {
        "Severity": levels,
        "Median response (all)": beside(table["median_hours"], table["all_median_hours"], hours),
        "p90 response (all)": beside(table["p90_hours"], table["all_p90_hours"], hours),
        "Resolved (all)": beside(table["resolved"], table["all_resolved"], str),
        "Median resolution (all)": beside(table["resolution_median_hours"],
                                          table["all_resolution_median_hours"], hours),
        "p90 resolution (all)": beside(table["resolution_p90_hours"],
                                       table["all_resolution_p90_hours"], hours),
    }  # fmt: skip
    if "resolution_target_hours" in table:
        untargeted = table["resolution_target_hours"].isna()
        judged = table["resolution_met"] + table["resolution_breached"]
        all_judged = table["all_resolution_met"] + table["all_resolution_breached"]
        times |= {
            "Resolution target": table["resolution_target_hours"].map(hours),
            "Resolution met": table["resolution_met"].mask(untargeted).map(readable.count),
            "Resolution breached": table["resolution_breached"].mask(untargeted)
            .map(readable.count),
            "Resolution attainment": _shares(table["resolution_attainment"], judged),
            "All: resolution attainment": _shares(table["all_resolution_attainment"],
                                                  all_judged),
        }  # fmt: skip
    st.markdown("**Response and resolution times**")
    ui.table(pd.DataFrame(times), "customer-times")
    st.caption(
        "Durations are business time. Response: to the first response, of the answered "
        "cases; resolution: from creation to resolution less pauses, of the cases resolved "
        "by the as-of instant. Attainment = met / (met + breached), of the cases counted "
        "beside it; everyone's figure in brackets."
    )


def _open_cases(data: views.CustomerPage, customer: str, view) -> None:
    opened, total = data.open_cases, data.theirs.open_cases
    st.subheader(f"Open cases ({total:,} now, {data.overdue:,} overdue)")
    if opened.empty:
        st.success(f"No case of {ui.escaped(customer)} is open at {ui.local(view.as_of)}.")
        return
    st.caption(
        f"Open at {ui.local(view.as_of)}, whenever created: the overdue first (still "
        "unanswered past their response deadline), the longest overdue at the top; then the "
        "other unanswered ones by deadline, then those answered and awaiting resolution."
        + (f" The first {len(opened):,} shown." if len(opened) < total else "")
    )
    timed = opened["state"] != "not timed"
    shown = pd.DataFrame(
        {
            "Case": opened["case_id"],
            "Severity": opened["severity"].map(ui.severity_names()),
            "Response (business time)": readable.open_responses(opened["state"], opened["hours"]),
            # no response recorded: no deadline to hold the case to
            "Deadline": _instants(opened["response_deadline"].where(timed)),
            "Created": _instants(opened["created_at"]),
            "Channel": opened["channel"].fillna(""),
            "Subject": opened["subject"].fillna(""),
            "Source": opened["source"],
        }
    )  # fmt: skip
    ui.table(shown, f"customer-{customer}-open", height=320)


def _breaches(data: views.CustomerPage, customer: str, policy, view) -> None:
    breaches = data.breaches
    total = data.theirs.totals.breached
    shown_note = f", the first {len(breaches):,} shown" if len(breaches) < total else ""
    st.subheader(f"Breaches ({total:,}{shown_note})")
    if breaches.empty:
        return
    shown = pd.DataFrame(
        {
            "Case": breaches["case_id"],
            "Severity": breaches["severity"].map(ui.severity_names()),
            "Created": _instants(breaches["created_at"]),
            "First response": _instants(breaches["first_response_at"], missing="not yet"),
            "Deadline": _instants(breaches["response_deadline"]),
            "Over target by (business time)": readable.hours_column(breaches["overshoot_hours"]),
            "Subject": breaches["subject"].fillna(""),
            "Source": breaches["source"],
        }
    )  # fmt: skip
    ui.table(shown, f"customer-{customer}-breaches")
    choices = ui.case_choices(breaches)
    chosen = st.selectbox("A breach's ledger: why it breached", choices,
                          index=None, key="customer_ledger_case",
                          placeholder="Pick a breach")  # fmt: skip
    if chosen:
        case_id, source = ui.chosen_case(chosen)
        ui.case_ledger(case_id, source, policy, view)


def _dismissals(table: pd.DataFrame, customer: str) -> None:
    st.subheader("Dismissals")
    st.caption("Cases of the period dismissed as out of scope, of all its cases, beside all "
               "the cases under the same filters.")  # fmt: skip
    shown = pd.DataFrame(
        {
            "Reason": table["reason"].map(lambda r: REASON_LABELS.get(r, "All reasons")),
            "Dismissed": table["dismissed"],
            "Share of their cases": _shares(table["rate"], table["cases"]),
            "All: dismissed": table["all_dismissed"],
            "All: share": _shares(table["all_rate"], table["all_cases"]),
        }
    )
    ui.table(shown, f"customer-{customer}-dismissals")


def _ranking(ranking: pd.DataFrame, view) -> None:
    st.subheader("Every customer, worst first")
    whose = "every customer" if ui.person().scope is None else "every customer you may see"
    st.caption(
        f"{view.period.label()} · {whose} with a case in the period or open now, under the "
        "sidebar's filters: the lowest attainment first, then the most breaches, then the "
        "most overdue now. " + _FEW_NOTE
    )
    if ranking.empty:
        st.info("No customer has a case in this period and filter.")
        return
    shown = pd.DataFrame(
        {
            "Customer": ranking["customer"],
            "Cases": ranking["cases"],
            "Met": ranking["met"],
            "Breached": ranking["breached"],
            "Attainment": _shares(ranking["attainment"], ranking["met"] + ranking["breached"]),
            "Open now": ranking["open_cases"],
            "Overdue now": ranking["overdue"],
            "Dismissed": ranking["dismissed"],
            "Dismissal rate": _shares(ranking["dismissal_rate"], ranking["cases"]),
        }
    )
    ui.table(shown, "customers-ranking", height=400)


_FEW_NOTE = (
    f'Each rate is followed by the cases it is counted on; "only" marks fewer than '
    f"{readable.FEW_CASES}, too few for the rate to say much."
)


def _judged_share(rate: float | None, totals) -> str:
    return readable.rate(rate, totals.met + totals.breached)


def _shares(rates: pd.Series, cases: pd.Series) -> list[str]:
    return [readable.rate(r, n) for r, n in zip(rates, cases, strict=True)]


def _instants(stamps: pd.Series, *, missing: str = readable.MISSING) -> list[str]:
    """Instants as people there read them ('Mon 09 Mar 2026 18:00', the policy's zone)."""
    return readable.instants(stamps, ui.policy().calendar.zone, missing=missing)


def _review_pack(customer: str, view, policy) -> None:
    """The review pack of this customer and the sidebar's period, in three formats, made when
    a button is pressed (the sidebar's other filters do not narrow a pack)."""
    if views.data_state(ui.engine()).stale_under(policy):
        st.info(
            "The review pack waits for the stored cases to be re-scored under the policy in "
            "force (see above): its targets and verdicts must be the same rules."
        )
        return
    st.caption(f"Review pack for {ui.escaped(customer)}, {view.period.label()}: the policy, "
               "every figure beside the previous period, each breach explained.")  # fmt: skip
    reconciled = st.checkbox(
        "Add our verdicts beside the helpdesk's", key="pack_reconciliation",
        help="The pack gains a section reconciling our first-response verdicts with those the "
        "helpdesk exported, and why they differ (the Reconciliation page's figures).",
    )  # fmt: skip
    columns = st.columns(3)
    # Read now: the pack is made later, on the click, where the session is not at hand.
    scope = ui.person().scope
    for column, kind in zip(columns, ("pdf", "html", "xlsx"), strict=True):
        column.download_button(
            f"Review pack ({kind.upper()})",
            data=lambda kind=kind: packs.render(
                _pack(customer, view, policy, scope, reconciled), kind
            ),
            file_name=file_name(
                "review",
                customer,
                view.period.first.isoformat(),
                view.period.last.isoformat(),
                suffix=kind,
            ),
            mime=packs.MIME[kind],
            key=f"pack-{kind}-{reconciled}",
            on_click="ignore",
            icon=":material/description:",
        )


def _pack(customer: str, view, policy, scope: tuple[str, ...] | None, reconciled: bool):
    # Built on a click, outside ui.figures: the person's scope is passed in by hand.
    return content.build(ui.engine(), policy, customer, view.period, view.as_of, scope=scope,
                         reconciliation=reconciled)  # fmt: skip


ui.guarded(page)
