"""Scope and dismissals: what is dismissed as out of scope, for whom, and what it changes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, readable, ui, views
from dashboard.policy import REASON_LABELS


def page() -> None:
    view = ui.current_view()
    data = ui.figures(views.scope_page, view)
    st.title("Scope and dismissals")
    st.caption(
        f"{view.period.label()} · in scope: the Flux controllers and the Flux Operator. Cases "
        "about third-party tools, not related to Flux, or needing access to the customer's "
        "infrastructure may be dismissed."
    )

    trend = data.trend
    st.subheader("Dismissal rate by reason")
    if trend.empty or trend["cases"].sum() == 0:
        st.info("No case in this period and filter.")
    else:
        ui.chart(charts.dismissal_trend(trend), "dismissal-rate")
        ui.table(_labelled(trend), "dismissals-by-period")

    st.subheader("By customer")
    ui.table(_labelled(data.by_customer), "dismissals-by-customer", height=300)

    st.subheader("Attainment with and without dismissed cases")
    both = data.with_without
    names = ui.severity_names()
    ui.table(
        pd.DataFrame(
            {
                "Severity": both["severity"].map(names),
                "Met (all cases)": both["met_all"],
                "Breached (all cases)": both["breached_all"],
                "Attainment (all cases)": [
                    readable.rate(a, m + b, noun="judged") for a, m, b in
                    zip(both["attainment_all"], both["met_all"], both["breached_all"], strict=True)
                ],
                "Met (in scope)": both["met_in_scope"],
                "Breached (in scope)": both["breached_in_scope"],
                "Attainment (in scope)": [
                    readable.rate(a, m + b, noun="judged") for a, m, b in
                    zip(both["attainment_in_scope"], both["met_in_scope"],
                        both["breached_in_scope"], strict=True)
                ],
            }
        ),
        "attainment-with-without-dismissed",
    )  # fmt: skip

    st.subheader("Channels")
    channels = data.channels
    if channels.empty:
        st.info("No case in this period and filter.")
        return
    if data.email_flagged:
        st.warning(
            f"{data.email_flagged} cases of levels 3-4 came by email: the policy keeps email "
            "for emergencies when the portal is down."
        )
    ui.chart(charts.channel_chart(channels, ui.severity_names()), "channels")
    ui.table(
        channels.assign(
            severity=channels["severity"].map(ui.severity_names()),
            email_outside_emergency=channels["email_outside_emergency"].map(
                {True: "yes", False: ""}
            ),
        ).rename(columns=readable.header),
        "channels",
    )


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts per reason under the policy's reason labels, the rate with its count."""
    shown = frame.assign(
        rate=[readable.rate(r, n) for r, n in zip(frame["rate"], frame["cases"], strict=True)]
    )
    return shown.rename(columns=REASON_LABELS).rename(columns=readable.header)


ui.guarded(page)
