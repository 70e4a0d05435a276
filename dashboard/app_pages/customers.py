"""Customers: one customer's figures beside everyone's, for account reviews."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, readable, ui, views
from dashboard.downloads import file_name
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
    data = ui.figures(views.customer_page, view, customer)
    shown_name = ui.escaped(customer)
    everyone = "all cases" if ui.person().scope is None else "all the customers you may see"
    st.caption(
        f"{view.period.label()} · {shown_name} beside {everyone} under the same filters "
        "(the sidebar's customer choice does not narrow the comparison)."
        if not view.filters.customers
        else f"{view.period.label()} · beside the customers chosen in the sidebar."
    )
    theirs, everyone = data.theirs.totals, data.everyone.totals
    mine, all_ = st.columns(2)
    mine.metric(f"{shown_name}: attainment", readable.share(theirs.attainment),
                help=f"{theirs.met} met of {theirs.met + theirs.breached} judged; "
                f"{theirs.cases} cases", border=True)  # fmt: skip
    all_.metric("All: attainment", readable.share(everyone.attainment),
                help=f"{everyone.met} met of {everyone.met + everyone.breached} judged; "
                f"{everyone.cases} cases", border=True)  # fmt: skip
    table = data.table
    shares = [c for c in table.columns if c.endswith("attainment")]
    durations = [c for c in table.columns if c.endswith("median_hours") or c.endswith("p90_hours")
                 or c == "resolution_target_hours"]  # fmt: skip
    shown = table.assign(
        **{c: table[c].map(readable.share) for c in shares},
        **{c: table[c].map(readable.hours) for c in durations},
    )
    ui.table(shown, f"customer-{customer}")
    st.caption(
        "Median and p90: business time to the first response of the answered cases; "
        "resolution: from creation to resolution less pauses, of the cases resolved by "
        f"{ui.local(view.as_of)}."
    )
    trend = data.trend
    if trend["attainment"].notna().any():
        ui.chart(
            charts.attainment_trend(trend, ui.severity_names(), goal=policy.attainment_goal),
            f"customer-{customer}-attainment",
        )
    breaches = data.breaches
    total = theirs.breached
    shown_note = f", the first {len(breaches):,} shown" if len(breaches) < total else ""
    st.subheader(f"Breaches ({total:,}{shown_note})")
    if not breaches.empty:
        ui.table(
            breaches.assign(overshoot=breaches["overshoot_hours"].map(readable.hours))[
                ["case_id", "severity", "created_at", "first_response_at", "overshoot",
                 "subject"]
            ],
            f"customer-{customer}-breaches",
        )  # fmt: skip


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
