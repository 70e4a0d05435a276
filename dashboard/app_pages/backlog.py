"""Backlog: what is open, how old it is, whether it grows, and what breaches next."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, readable, ui, views


def page() -> None:
    view = ui.current_view()
    data = ui.figures(views.backlog_page, view)
    labels = ui.severity_names()
    st.title("Backlog")
    st.caption(f"{view.period.label()} · open cases whenever created, as of "
               f"{ui.local(view.as_of)}")  # fmt: skip

    st.subheader("Open cases over time")
    if data.backlog.empty:
        st.info("No case open in this period and filter.")
    else:
        ui.chart(charts.backlog_chart(data.backlog, labels), "backlog")

    left, right = st.columns(2)
    with left:
        st.subheader("Ageing")
        st.caption("Open cases by business days since the day they were created.")
        if data.ages.empty:
            st.info("No open case.")
        else:
            ui.chart(charts.ageing_chart(data.ageing, labels), "ageing")
    with right:
        st.subheader("Opened vs resolved")
        opened = data.opened_resolved
        if opened.empty:
            st.info("Nothing opened or resolved in this period.")
        else:
            ui.chart(charts.opened_resolved_chart(opened), "opened-resolved")

    st.subheader("At-risk queue")
    counts = data.queue_counts
    st.caption(
        f"{counts.unanswered} unanswered open cases: {counts.breached} past their "
        f"deadline, {counts.at_risk} with half their target or less left. Business hours "
        "remaining (negative: breached), breached first."
    )
    queue = data.queue
    if queue.empty:
        st.success("No unanswered open case.")
        return
    if len(queue) > views.SHOWN_ROWS:
        st.caption(f"The first {views.SHOWN_ROWS:,} shown, breached first.")
        queue = queue.head(views.SHOWN_ROWS)
    shown = queue.assign(remaining=queue["remaining_hours"].map(readable.hours))[
        ["case_id", "customer", "severity", "channel", "created_at", "response_deadline",
         "remaining", "remaining_hours", "breached", "subject", "source"]
    ]  # fmt: skip
    ui.table(shown, "at-risk-queue", height=360)


ui.guarded(page)
