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
    ui.table(_distribution(distribution), "response-distribution")

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
    ui.table(_resolution(resolution, policy.has_resolution_targets), "resolution-times")

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
    ui.table(_breaches(breaches), "breaches", height=320)
    _ledger(breaches, policy, view)


def _severity(levels: pd.Series) -> pd.Series:
    return levels.map(ui.severity_names())


def _distribution(table: pd.DataFrame) -> pd.DataFrame:
    """Per severity, the answered cases' response times in people's words."""
    hours = readable.hours
    return pd.DataFrame(
        {
            "Severity": _severity(table["severity"]),
            "Answered": table["answered"],
            "Median": table["median_hours"].map(hours),
            "p90": table["p90_hours"].map(hours),
            "p95": table["p95_hours"].map(hours),
            "Near misses": table["near_misses"],
            "Answered late": table["breaches"],
            "Median overshoot": table["median_overshoot_hours"].map(hours),
            "Largest overshoot": table["max_overshoot_hours"].map(hours),
        }
    )


def _resolution(table: pd.DataFrame, targets: bool) -> pd.DataFrame:
    shown = pd.DataFrame(
        {
            "Severity": _severity(table["severity"]),
            "Resolved": table["resolved"],
            "Median": table["median_hours"].map(readable.hours),
            "p90": table["p90_hours"].map(readable.hours),
        }
    )
    if targets:
        untargeted = table["target_hours"].isna()
        shown = shown.assign(
            Target=table["target_hours"].map(readable.hours),
            Met=table["met"].mask(untargeted).map(readable.count),
            Breached=table["breached"].mask(untargeted).map(readable.count),
            Attainment=[readable.rate(a, n, noun="judged") for a, n in
                        zip(table["attainment"], table["met"] + table["breached"], strict=True)],
        )  # fmt: skip
    return shown


def _breaches(table: pd.DataFrame) -> pd.DataFrame:
    """The period's breaches in people's words: by how much, answered or still waiting
    (the first response and channel are in each case's ledger below)."""
    return pd.DataFrame(
        {
            "Case": table["case_id"],
            "Customer": table["customer"],
            "Severity": _severity(table["severity"]),
            "Over target by": readable.hours_column(table["overshoot_hours"]),
            "Answered": table["answered"].map({True: "yes", False: "not yet"}),
            "Created": table["created_at"],
            "Deadline": table["response_deadline"],
            "Subject": table["subject"],
        }
    )


def _ledger(breaches: pd.DataFrame, policy, view) -> None:
    st.subheader("Why a case breached")
    choices = ui.case_choices(breaches)
    chosen = st.selectbox("Breached case", choices, index=None, key="ledger_case",
                          placeholder="Pick a breached case")  # fmt: skip
    other = st.text_input("...or any case id", key="ledger_any")
    case_id, source = None, None
    if other.strip():
        case_id = other.strip()
    elif chosen:
        case_id, source = ui.chosen_case(chosen)
    if not case_id:
        return
    ui.case_ledger(case_id, source, policy, view)


ui.guarded(page)
