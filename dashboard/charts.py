"""Altair charts, built by pure functions from frames the analytics already aggregated.

One palette for the whole product: met, breached, pending and dismissed keep their colours on
every page and in every download. Charts get counts, never per-case rows (st.altair_chart
would ship every row to the browser), and every rate carries the counts behind it in its
tooltip. Days are local calendar days of the policy's zone, sent as ISO date text and drawn
with UTC time units, so a viewer in another zone sees the same days (Vega-Lite would otherwise
shift them into the viewer's zone).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard import readable
from dashboard.buckets import AGE_BUCKETS
from dashboard.policy import DISMISSAL_REASONS, REASON_LABELS

STATUS_COLOURS = {
    "met": "#2e7d32",
    "breached": "#c62828",
    "pending": "#f9a825",
    "invalid": "#6d4c41",
    "unscored": "#9e9e9e",
    "dismissed": "#6a1b9a",
}
SEVERITY_COLOURS = {1: "#880e4f", 2: "#e65100", 3: "#1565c0", 4: "#607d8b"}
REASON_COLOURS = {
    "third_party": "#6a1b9a",
    "not_flux": "#ab47bc",
    "infrastructure_access": "#4a148c",
    "other": "#ce93d8",
}
WIDTH = "container"


def severity_labels(levels: dict[int, str]) -> dict[int, str]:
    """'1 Urgent' for level 1 of the vendor's policy: short enough for a legend."""
    return {level: f"{level} {name}" for level, name in levels.items()}


def _severity_scale(labels: dict[int, str]) -> alt.Scale:
    return alt.Scale(
        domain=list(labels.values()),
        range=[SEVERITY_COLOURS.get(level, "#455a64") for level in labels],
    )


def _status_scale(statuses: list[str]) -> alt.Scale:
    return alt.Scale(domain=statuses, range=[STATUS_COLOURS[s] for s in statuses])


def attainment_trend(
    frame: pd.DataFrame, labels: dict[int, str], *, goal: float | None
) -> alt.Chart:
    """Attainment per period and severity (period, severity, met, breached, attainment), with
    the goal drawn as a rule; a period with nothing to judge is never drawn as 0: its rows
    (no attainment) break the severity's line there, and a period no row names is not drawn."""
    data = frame.copy()
    data["severity_label"] = data["severity"].map(labels)
    data["attainment"] = data["attainment"].astype(float)
    data["judged"] = data["met"] + data["breached"]
    base = alt.Chart(data).encode(
        x=alt.X("period:O", title=None, sort=None),
        y=alt.Y(
            "attainment:Q",
            title="Attainment",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=alt.Color("severity_label:N", title="Severity", scale=_severity_scale(labels)),
        tooltip=[
            alt.Tooltip("period:O", title="Period"),
            alt.Tooltip("severity_label:N", title="Severity"),
            alt.Tooltip("attainment:Q", title="Attainment", format=".1%"),
            alt.Tooltip("met:Q", title="Met"),
            alt.Tooltip("breached:Q", title="Breached"),
            alt.Tooltip("judged:Q", title="Judged (met + breached)"),
        ],
    )
    # An empty period's null attainment breaks the line (never joined across, never a 0)
    layers = [base.mark_line(point=True, invalid="break-paths-filter-domains")]
    if goal is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"goal": [goal]}))
            .mark_rule(strokeDash=[6, 4], color="#424242")
            .encode(y=alt.Y("goal:Q"), tooltip=[alt.Tooltip("goal:Q", title="Goal", format=".0%")])
        )
    return alt.layer(*layers).properties(width=WIDTH, height=280)


def status_bars(frame: pd.DataFrame) -> alt.Chart:
    """Cases per period by verdict (period, met, breached, pending, invalid, unscored)."""
    statuses = [s for s in ("met", "breached", "pending", "invalid", "unscored") if s in frame]
    long = frame[["period", *statuses]].melt(
        id_vars=["period"], value_vars=statuses, var_name="status", value_name="cases"
    )
    long = long[long["cases"] > 0]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=None, sort=None),
            y=alt.Y("sum(cases):Q", title="Cases"),
            color=alt.Color("status:N", title="Verdict", scale=_status_scale(statuses)),
            order=alt.Order("status_order:Q"),
            tooltip=[
                alt.Tooltip("period:O", title="Period"),
                alt.Tooltip("status:N", title="Verdict"),
                alt.Tooltip("sum(cases):Q", title="Cases"),
            ],
        )
        .transform_calculate(status_order=_order_expression(statuses))
        .properties(width=WIDTH, height=240)
    )


def response_histogram(binned: pd.DataFrame, target_hours: float, title: str) -> alt.Chart:
    """Business response times of one severity, with its target drawn as a rule."""
    data = binned.assign(
        verdict=np.where(binned["within_target"], "met", "breached"),
        range=[
            f"{readable.hours(a)} - {readable.hours(b)}"
            if not last
            else f"{readable.hours(a)} or more"
            for a, b, last in zip(
                binned["from_hours"], binned["to_hours"], binned["last_bin"], strict=True
            )
        ],
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("from_hours:Q", title="Business hours to first response", bin="binned"),
            x2="to_hours:Q",
            y=alt.Y("cases:Q", title="Cases"),
            color=alt.Color("verdict:N", legend=None, scale=_status_scale(["met", "breached"])),
            tooltip=[
                alt.Tooltip("range:N", title="Response"),
                alt.Tooltip("cases:Q", title="Cases"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target_hours], "shown": [readable.hours(target_hours)]}))
        .mark_rule(color="#212121", strokeWidth=2)
        .encode(x="target:Q", tooltip=[alt.Tooltip("shown:N", title="Target (business time)")])
    )
    return alt.layer(bars, rule).properties(width=WIDTH, height=200, title=title)


def backlog_chart(frame: pd.DataFrame, labels: dict[int, str]) -> alt.Chart:
    """Open cases at the end of each day (day, severity, open_cases), stacked by severity."""
    data = frame.assign(day=frame["day"].astype(str), severity_label=frame["severity"].map(labels))
    return (
        alt.Chart(data)
        .mark_area()
        .encode(
            x=alt.X("day:T", timeUnit="utcyearmonthdate", title=None),
            y=alt.Y("open_cases:Q", title="Open cases", stack=True),
            color=alt.Color("severity_label:N", title="Severity", scale=_severity_scale(labels)),
            order=alt.Order("severity:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("day:T", timeUnit="utcyearmonthdate", title="End of day"),
                alt.Tooltip("severity_label:N", title="Severity"),
                alt.Tooltip("open_cases:Q", title="Open"),
            ],
        )
        .properties(width=WIDTH, height=260)
    )


def ageing_chart(buckets: pd.DataFrame, labels: dict[int, str]) -> alt.Chart:
    data = buckets.assign(
        bucket=buckets["bucket"].astype(str), severity_label=buckets["severity"].map(labels)
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "bucket:O",
                title="Age in business days",
                sort=[label for _, _, label in AGE_BUCKETS],
            ),
            y=alt.Y("cases:Q", title="Open cases"),
            color=alt.Color("severity_label:N", title="Severity", scale=_severity_scale(labels)),
            tooltip=[
                alt.Tooltip("bucket:O", title="Business days"),
                alt.Tooltip("severity_label:N", title="Severity"),
                alt.Tooltip("cases:Q", title="Open cases"),
            ],
        )
        .properties(width=WIDTH, height=240)
    )


def opened_resolved_chart(frame: pd.DataFrame) -> alt.Chart:
    """Cases opened and resolved per period (period, opened, resolved), side by side."""
    totals = frame.groupby("period", sort=True)[["opened", "resolved"]].sum().reset_index()
    long = totals.melt(id_vars=["period"], value_vars=["opened", "resolved"], var_name="event",
                       value_name="cases")  # fmt: skip
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=None),
            xOffset="event:N",
            y=alt.Y("cases:Q", title="Cases"),
            color=alt.Color(
                "event:N",
                title=None,
                scale=alt.Scale(domain=["opened", "resolved"], range=["#1565c0", "#90caf9"]),
            ),
            tooltip=[
                alt.Tooltip("period:O", title="Period"),
                alt.Tooltip("event:N", title="Event"),
                alt.Tooltip("cases:Q", title="Cases"),
            ],
        )
        .properties(width=WIDTH, height=240)
    )


def dismissal_trend(frame: pd.DataFrame) -> alt.Chart:
    """Dismissal rate per period by the policy's reason (period, cases, one column a reason)."""
    counts = frame[["period", "cases", *DISMISSAL_REASONS]]
    long = counts.melt(id_vars=["period", "cases"], value_vars=list(DISMISSAL_REASONS),
                       var_name="reason", value_name="dismissed")  # fmt: skip
    long["rate"] = long["dismissed"] / long["cases"].where(long["cases"] > 0)
    long["reason_label"] = long["reason"].map(REASON_LABELS)
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=None),
            y=alt.Y("rate:Q", title="Dismissed", axis=alt.Axis(format="%"), stack=True),
            color=alt.Color(
                "reason_label:N",
                title="Reason",
                scale=alt.Scale(
                    domain=[REASON_LABELS[r] for r in DISMISSAL_REASONS],
                    range=[REASON_COLOURS[r] for r in DISMISSAL_REASONS],
                ),
            ),
            tooltip=[
                alt.Tooltip("period:O", title="Period"),
                alt.Tooltip("reason_label:N", title="Reason"),
                alt.Tooltip("rate:Q", title="Rate", format=".1%"),
                alt.Tooltip("dismissed:Q", title="Dismissed"),
                alt.Tooltip("cases:Q", title="All cases"),
            ],
        )
        .properties(width=WIDTH, height=240)
    )


def channel_chart(frame: pd.DataFrame, labels: dict[int, str]) -> alt.Chart:
    """Cases per severity and channel (severity, channel, cases)."""
    data = frame.assign(
        severity_label=frame["severity"].map(labels),
        channel=frame["channel"].replace("", "(none)"),
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("severity_label:N", title="Severity", sort=list(labels.values())),
            x=alt.X("cases:Q", title="Cases", stack="normalize", axis=alt.Axis(format="%")),
            color=alt.Color("channel:N", title="Channel"),
            tooltip=[
                alt.Tooltip("severity_label:N", title="Severity"),
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("cases:Q", title="Cases"),
            ],
        )
        .properties(width=WIDTH, height=160)
    )


def _order_expression(statuses: list[str]) -> str:
    """A Vega expression giving each verdict its stacking position (met at the bottom)."""
    return " : ".join(f"datum.status === '{s}' ? {i}" for i, s in enumerate(statuses)) + " : 99"


def reconcile_causes(causes: pd.DataFrame) -> alt.Chart:
    """Why our verdicts and the helpdesk's differ: disagreeing cases per cause (cause, cases,
    share, description), the largest first."""
    return (
        alt.Chart(causes)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X("cases:Q", title="Disagreeing cases"),
            tooltip=[
                alt.Tooltip("label:N", title="Cause"),
                alt.Tooltip("description:N", title="Meaning"),
                alt.Tooltip("cases:Q", title="Cases"),
                alt.Tooltip("share:Q", title="Of the disagreements", format=".1%"),
            ],
        )
        .properties(width=WIDTH, height=alt.Step(32))
    )
