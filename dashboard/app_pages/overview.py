"""Overview: in ten seconds, where the policy is met and where it is not."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, readable, ui, views
from dashboard.readable import beside


def page() -> None:
    view = ui.current_view()
    policy = ui.policy()
    data = ui.figures(views.overview, view)
    st.title("Overview")
    st.caption(ui.with_period(view))

    severities = data.severities
    # A comparison period with no case at all (before the data starts: "All time") has no
    # change to show: a delta against nothing reads as a rise from zero.
    compared = data.before.totals.cases > 0 or data.live_before.open > 0
    columns = st.columns(len(severities))
    for column, row in zip(columns, severities.itertuples(), strict=True):
        change = _points(row.attainment, row.previous_attainment) if compared else None
        column.metric(
            f"L{row.severity} {row.name} · {readable.hours(row.target_hours)} target",
            readable.share(row.attainment),
            delta=change,
            delta_arrow=_arrow(change),
            help=(
                f"{row.met} met, {row.breached} breached, {row.pending} pending of {row.cases} "
                f"cases (previous period: {readable.share(row.previous_attainment)} of "
                f"{row.previous_cases}). Attainment = met / (met + breached)."
            ),
            border=True,
        )
        judged = row.met + row.breached
        column.caption(  # a line each, so that no duration breaks across two
            (f"**Few cases: {judged} judged**  \n" if 0 < judged < readable.FEW_CASES else "")
            + f"{row.cases} cases · median {readable.hours(row.median_hours)}  \n"
            f"p90 {readable.hours(row.p90_hours)}  \n"
            f"{row.resolved} resolved · median {readable.hours(row.resolution_median_hours)}  \n"
            f"p90 {readable.hours(row.resolution_p90_hours)}"
            + (
                f"  \nresolution attainment {readable.share(row.resolution_attainment)}"
                if data.now.has_resolution_targets
                else ""
            )
        )

    now, before = data.live_now, data.live_before
    backlog, overdue, at_risk, dismissed = st.columns(4)
    backlog_change = now.open - before.open if compared else None
    backlog.metric(
        "Open backlog",
        now.open,
        delta=backlog_change,
        delta_color="inverse",
        delta_arrow=_arrow(backlog_change),
        help=f"Cases open at {ui.local(data.live_at)}, whenever created; the change is against "
        f"{ui.local(data.live_before_at)}.",
        border=True,
    )
    overdue.metric(
        "Overdue now",
        data.overdue_now,
        help=f"Open cases still unanswered past their response deadline at "
        f"{ui.local(view.as_of)}, whenever created (the oldest L1 and L2 are listed below; all "
        "of them on the Backlog page).",
        border=True,
    )
    risk_change = now.at_risk - before.at_risk if compared else None
    at_risk.metric(
        "At risk",
        now.at_risk,
        delta=risk_change,
        delta_color="inverse",
        delta_arrow=_arrow(risk_change),
        help="Unanswered cases not yet overdue, with half their target or less left.",
        border=True,
    )
    dismissals, previous = data.now.dismissals, data.before.dismissals
    dismissal_change = _points(dismissals.rate, previous.rate) if compared else None
    dismissed.metric(
        "Dismissal rate",
        readable.share(dismissals.rate),
        delta=dismissal_change,
        delta_color="off",
        delta_arrow=_arrow(dismissal_change),
        help=f"{dismissals.dismissed} of {data.now.totals.cases} cases dismissed as "
        f"out of scope (previous period: {previous.dismissed}).",
        border=True,
    )

    _oldest_overdue(data.urgent_overdue, data.urgent_overdue_now)

    st.subheader("Attainment by severity")
    trend = data.trend
    if trend["attainment"].notna().any():
        ui.chart(
            charts.attainment_trend(trend, ui.severity_names(), goal=policy.attainment_goal),
            "overview-attainment",
        )
    else:
        st.info("No answered case in this period and filter: nothing to judge yet.")
    st.markdown("**First-response verdicts**")
    ui.table(
        response_table(severities),
        "overview-response",
        column_config=ui.narrow("Target", "Met", "Breached", "Pending", "Unscored"),
    )
    st.markdown("**Response and resolution times**")
    ui.table(times_table(severities, data.now.has_resolution_targets), "overview-times")
    st.caption(
        "Response: business time to the first response, of the answered cases. Resolution: "
        "business time from creation to resolution less pauses, of the cases resolved by "
        f"{ui.local(view.as_of)}."
    )


def _oldest_overdue(shown, total: int) -> None:
    """The longest-overdue L1 and L2 cases (views.URGENT_LEVELS), in a line each a manager can
    act on; `total`: how many are overdue in all."""
    if shown.empty:
        return
    names = ui.severity_names()
    table = pd.DataFrame(
        {
            "Case": shown["case_id"],
            "Customer": shown["customer"],
            "Severity": shown["severity"].map(names),
            "Overdue by": shown["overdue_hours"].map(lambda h: f"{readable.hours(h)} business"),
            "Deadline": shown["response_deadline"],
            "Created": shown["created_at"],
        }
    )
    more = total - len(shown)
    st.markdown(
        f"**Oldest overdue L1/L2** ({total:,} in all"
        + (f"; {more:,} more on the Backlog page" if more else "")
        + ")"
    )
    ui.table(table, "overdue-urgent")


def response_table(severities: pd.DataFrame) -> pd.DataFrame:
    """First-response verdicts, one row a level, in people's words: counts, the rate with its
    count when small; the previous period's in brackets (the times are in times_table: one
    table of both would be cut at 1,500 px)."""
    judged = severities["met"] + severities["breached"]
    return pd.DataFrame(
        {
            "Severity": _levels(severities),
            "Target": severities["target_hours"].map(readable.hours),
            "Cases (previous)": beside(severities["cases"], severities["previous_cases"], str),
            "Met": severities["met"],
            "Breached": severities["breached"],
            "Pending": severities["pending"],
            "Unscored": severities["unscored"],
            "Attainment": [readable.rate(a, n, noun="judged")
                           for a, n in zip(severities["attainment"], judged, strict=True)],
            "Previous attainment": severities["previous_attainment"].map(readable.share),
        }
    )  # fmt: skip


def times_table(severities: pd.DataFrame, targets: bool) -> pd.DataFrame:
    """Response and resolution times, one row a level, the previous period's in brackets;
    the verdicts against resolution targets when the policy sets some."""
    hours = readable.hours
    table = pd.DataFrame(
        {
            "Severity": _levels(severities),
            "Median response (previous)": beside(severities["median_hours"],
                                                 severities["previous_median_hours"], hours),
            "p90 response (previous)": beside(severities["p90_hours"],
                                              severities["previous_p90_hours"], hours),
            "Resolved (previous)": beside(severities["resolved"],
                                          severities["previous_resolved"], str),
            "Median resolution (previous)": beside(
                severities["resolution_median_hours"],
                severities["previous_resolution_median_hours"], hours),
            "p90 resolution (previous)": beside(severities["resolution_p90_hours"],
                                                severities["previous_resolution_p90_hours"],
                                                hours),
        }
    )  # fmt: skip
    if targets:
        # a level without a resolution target has no verdicts against one: '-', not 0
        untargeted = severities["resolution_target_hours"].isna()
        judged = severities["resolution_met"] + severities["resolution_breached"]
        table = table.assign(
            **{
                "Resolution target": severities["resolution_target_hours"].map(hours),
                "Resolution met": severities["resolution_met"].mask(untargeted)
                .map(readable.count),
                "Resolution breached": severities["resolution_breached"].mask(untargeted)
                .map(readable.count),
                "Resolution attainment": [
                    readable.rate(a, n, noun="judged") for a, n in
                    zip(severities["resolution_attainment"], judged, strict=True)],
            }
        )  # fmt: skip
    return table


def _levels(severities: pd.DataFrame) -> list[str]:
    return [f"{r.severity} {r.name}" for r in severities.itertuples()]


def _arrow(change: int | str | None) -> str:
    """No arrow for no change: '0.0 pts' would otherwise show as a rise."""
    if change is None:
        return "auto"
    unchanged = change == 0 if isinstance(change, int) else change.startswith("0.0 ")
    return "off" if unchanged else "auto"


def _points(now: float | None, before: float | None) -> str | None:
    change = ui.delta(now, before, scale=100)
    if change is None:
        return None
    text = f"{change:+.1f}"
    return f"{'0.0' if text in ('+0.0', '-0.0') else text} pts"  # no arrow for a rounded zero


ui.guarded(page)
