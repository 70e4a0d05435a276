"""Backlog: what is open, how old it is, whether it grows, and what breaches next."""

from __future__ import annotations

import numpy as np
import pandas as pd
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
        f"{counts.unanswered:,} unanswered open cases: {counts.breached:,} past their "
        f"deadline (overdue), {counts.at_risk:,} with half their target or less left. The "
        "overdue first, the longest overdue at the top."
    )
    queue = data.queue
    if queue.empty:
        st.success("No unanswered open case.")
        return
    if counts.unanswered > len(queue):  # the page reads views.SHOWN_ROWS at most
        st.caption(f"The first {len(queue):,} shown, breached first.")
    shown = pd.DataFrame(
        {
            "Case": queue["case_id"],
            "Customer": queue["customer"],
            "Severity": queue["severity"].map(labels),
            "Deadline": queue["response_deadline"],
            "Business time to deadline": _time_left(queue["remaining_hours"]),
            "Created": queue["created_at"],
            "Channel": queue["channel"],
            "Subject": queue["subject"],
            "Source": queue["source"],
        }
    )
    ui.table(shown, "at-risk-queue", height=360)


def _time_left(remaining_hours: pd.Series) -> list[str]:
    """'2h 10m left', or 'overdue by 3456h 57m' once the deadline has passed."""
    overdue = (remaining_hours < 0).to_numpy()
    return readable.open_responses(
        np.where(overdue, "overdue", "unanswered"),
        remaining_hours.abs(),
    )


ui.guarded(page)
