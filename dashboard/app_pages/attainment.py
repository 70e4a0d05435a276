"""SLA attainment: where the policy is breached (severity, week), by how much, and why."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, readable, ui, views


def page() -> None:
    view = ui.current_view()
    policy = ui.policy()
    data = ui.figures(views.attainment_page, view)
    st.title("SLA attainment")
    st.caption(view.period.label() + f" · per {view.grain}")

    trend = data.trend
    if trend["attainment"].notna().any():
        ui.chart(
            charts.attainment_trend(trend, ui.severity_names(), goal=policy.attainment_goal),
            "attainment-trend",
        )
        ui.chart(charts.status_bars(data.by_period), "verdicts-per-period")
    else:
        st.info("No answered case in this period and filter: nothing to judge yet.")

    st.subheader("Response times against target")
    distribution = data.distribution
    columns = st.columns(2)
    for index, severity in enumerate(policy.severities):
        binned = data.bins[severity.level]
        target = readable.hours(severity.response_hours)
        with columns[index % 2]:
            if binned["cases"].sum() == 0:
                st.caption(f"L{severity.level} {severity.name}: no answered case")
                continue
            ui.chart(
                charts.response_histogram(
                    binned,
                    severity.response_hours,
                    f"L{severity.level} {severity.name} (target {target})",
                ),
                f"response-times-level-{severity.level}",
            )
    st.caption(
        "Near misses: met within the last 10 % of the target. Overshoot: business hours past "
        "the target, for cases answered late."
    )
    shown = distribution.assign(
        **{
            column: distribution[column].map(readable.hours)
            for column in ("median_hours", "p90_hours", "p95_hours", "median_overshoot_hours",
                           "max_overshoot_hours")
        }
    )  # fmt: skip
    ui.table(shown, "response-distribution")

    st.subheader("Resolution times")
    resolution = data.resolution
    st.caption(
        "Business time from creation to resolution, less pauses, of the cases created in the "
        f"period and resolved by {ui.local(view.as_of)}"
        + (
            "; met or breached against the severity's resolution target."
            if policy.has_resolution_targets
            else " (the policy sets no resolution target)."
        )
    )
    columns = ["severity", "resolved", "median", "p90"]
    if policy.has_resolution_targets:
        columns += ["target", "met", "breached", "attainment"]
    ui.table(
        resolution.assign(
            median=resolution["median_hours"].map(readable.hours),
            p90=resolution["p90_hours"].map(readable.hours),
            target=resolution["target_hours"].map(readable.hours),
            attainment=resolution["attainment"].map(readable.share),
        )[columns],
        "resolution-times",
    )

    st.subheader("Breaches")
    breaches = data.breaches
    if breaches.empty:
        st.success("No breach in this period and filter.")
        return
    total = data.breaches_total
    st.caption(
        f"{total:,} breached cases (unanswered ones as of {ui.local(view.as_of)})"
        + (
            f" · the first {len(breaches):,} shown, by severity then deadline: narrow the "
            "sidebar's filters (a severity, a customer) to list the others"
            if len(breaches) < total
            else ""
        )
    )
    table = breaches.assign(overshoot=breaches["overshoot_hours"].map(readable.hours))
    ui.table(_breach_columns(table), "breaches", height=320)
    _ledger(breaches, policy, view)


def _breach_columns(frame: pd.DataFrame) -> pd.DataFrame:
    wanted = ["case_id", "customer", "severity", "channel", "created_at", "first_response_at",
              "response_deadline", "overshoot", "answered", "subject", "source"]  # fmt: skip
    return frame[[c for c in wanted if c in frame.columns]]


def _ledger(breaches: pd.DataFrame, policy, view) -> None:
    st.subheader("Why a case breached")
    choices = [f"{row.case_id} · {row.source}" for row in breaches.itertuples()]
    chosen = st.selectbox("Breached case", choices, index=None, key="ledger_case",
                          placeholder="Pick a breached case")  # fmt: skip
    other = st.text_input("...or any case id", key="ledger_any")
    case_id, source = None, None
    if other.strip():
        case_id = other.strip()
    elif chosen:
        case_id, source = chosen.rsplit(" · ", 1)
    if not case_id:
        return
    ui.case_ledger(case_id, source, policy, view)


ui.guarded(page)
