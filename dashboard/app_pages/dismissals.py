"""Scope and dismissals: what is dismissed as out of scope, for whom, and what it changes."""

from __future__ import annotations

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
    ui.table(
        both.assign(
            attainment_all=both["attainment_all"].map(readable.share),
            attainment_in_scope=both["attainment_in_scope"].map(readable.share),
        ),
        "attainment-with-without-dismissed",
    )

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
    ui.table(channels, "channels")


def _labelled(frame):
    return frame.assign(rate=frame["rate"].map(readable.share)).rename(columns=REASON_LABELS)


ui.guarded(page)
