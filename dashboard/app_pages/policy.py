"""Policy: the rules in force as the vendor writes them, and a what-if editor that shows the
figures under edited rules beside the stored ones without changing anything stored."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import readable, ui, views
from dashboard.errors import DashboardError
from dashboard.policy import WEEKDAY_NAMES, parse_policy


def page() -> None:
    view = ui.current_view()
    policy = ui.policy()
    calendar = policy.calendar
    st.title("Policy")
    # The file's name, not its place on the server: a visitor need not know the server's paths.
    st.caption(ui.escaped(f"{policy.name} · {Path(policy.source).name}"))

    st.subheader("Severities and response targets")
    severities = pd.DataFrame(
        {
            "level": [s.level for s in policy.severities],
            "severity": [f"Level {s.level} - {s.name}" for s in policy.severities],
            "response time (business hours)": [s.response_hours for s in policy.severities],
            "impact": [s.impact for s in policy.severities],
        }
    )
    if policy.has_resolution_targets:  # optional (issue 12): the vendor's policy has none
        severities.insert(
            3,
            "resolution time (business hours)",
            [None if s.resolution_seconds is None else s.resolution_seconds / 3600
             for s in policy.severities],
        )  # fmt: skip
    ui.table(severities, "policy-severities")
    holiday_label = calendar.holidays.label if calendar.holidays else "none"
    st.markdown(
        f"**Business hours**: {', '.join(WEEKDAY_NAMES[d] for d in calendar.workdays)}, "
        f"{readable.clock(calendar.open_seconds)}-{readable.clock(calendar.close_seconds)}, "
        f"excluding public holidays ({ui.escaped(holiday_label)}) and closures, in "
        f"**{ui.escaped(calendar.timezone)}** local time (daylight saving handled exactly)."
    )
    st.markdown(f"**Case histories** (event logs): {ui.escaped(policy.history_rules)}")
    if policy.attainment_goal is not None:
        goal = readable.share(policy.attainment_goal)
        st.caption(f"Attainment goal drawn on charts: {goal} (ours, not the vendor's; it "
                   "changes no verdict).")  # fmt: skip

    span = ui.lookup(views.data_span)
    years = (span.first.year, span.last.year) if span else (view.as_of.year,) * 2
    st.subheader(f"Holidays and closures on working days, {years[0]}-{years[1]}")
    ui.table(views.closed_days(policy, years), "holidays-and-closures", height=300)

    _what_if(policy, view)


def _what_if(policy, view) -> None:
    st.subheader("What if the policy changed?")
    st.caption(
        f"Every case of {view.period.label()} under the sidebar's filters is re-scored under "
        "the edited rules, in memory: nothing stored changes."
    )
    document = views.policy_document(policy)
    calendar = document["calendar"]
    with st.form("what_if"):
        columns = st.columns(len(document["severity"]))
        for column, severity in zip(columns, document["severity"], strict=True):
            severity["response_hours"] = column.number_input(
                f"L{severity['level']} {severity['name']} target (h)",
                min_value=0.25,
                max_value=1000.0,
                value=float(severity["response_hours"]),
                step=0.5,
                key=f"whatif_target_{severity['level']}",
            )
        columns = st.columns(len(document["severity"]))
        for column, severity in zip(columns, document["severity"], strict=True):
            resolution = column.number_input(
                f"L{severity['level']} resolution target (h)",
                min_value=0.25,
                max_value=10000.0,
                value=severity.get("resolution_hours"),
                step=1.0,
                placeholder="none",
                key=f"whatif_resolution_{severity['level']}",
                help="Business hours from creation to resolution, less pauses; empty: none.",
            )
            severity.pop("resolution_hours", None)
            if resolution is not None:
                severity["resolution_hours"] = resolution
        opening, closing, country, subdivision = st.columns(4)
        calendar["open"] = opening.text_input("Opens", calendar["open"], key="whatif_open")
        calendar["close"] = closing.text_input("Closes", calendar["close"], key="whatif_close")
        holidays = calendar.get("holidays", {})
        chosen_country = country.text_input("Holiday country", holidays.get("country", ""),
                                            key="whatif_country")  # fmt: skip
        chosen_subdivision = subdivision.text_input(
            "Subdivision", holidays.get("subdivision", ""), key="whatif_subdivision"
        )
        closures = st.text_area(
            "Closures (one per line: YYYY-MM-DD name)",
            "\n".join(f"{c['date']} {c['name']}" for c in calendar["closures"]),
            key="whatif_closures",
        )
        submitted = st.form_submit_button("Compare")
    if not submitted and "whatif_result" not in st.session_state:
        return
    if submitted:
        edited = copy.deepcopy(document)
        edited["severity"] = document["severity"]
        edited["calendar"] = dict(calendar)
        if chosen_country.strip():
            edited["calendar"]["holidays"] = {"country": chosen_country.strip()}
            if chosen_subdivision.strip():
                edited["calendar"]["holidays"]["subdivision"] = chosen_subdivision.strip()
        else:
            edited["calendar"].pop("holidays", None)
        edited["calendar"]["closures"] = _closures(closures)
        try:
            other = parse_policy(edited, source="the what-if editor")
        except DashboardError as exc:
            ui.error(str(exc))
            return
        st.session_state["whatif_result"] = other
    other = st.session_state["whatif_result"]
    try:
        table = ui.figures(views.what_if, other, view)
    except DashboardError as exc:
        ui.error(str(exc))
        return
    shown = table.copy()
    for column in shown.columns:
        if column.endswith("attainment"):
            shown[column] = shown[column].map(readable.share)
        elif column.endswith("median_hours") or column.endswith("resolution_target_hours"):
            shown[column] = shown[column].map(readable.hours)
    ui.table(shown, "what-if")
    for warning in other.warnings:
        ui.warning(warning)


def _closures(text: str) -> list:
    """'2026-12-24 Christmas Eve' lines -> closure entries (parse_policy checks the dates)."""
    entries = []
    for line in text.splitlines():
        if not line.strip():
            continue
        day, _, name = line.strip().partition(" ")
        entries.append({"date": day, "name": name.strip()} if name.strip() else day)
    return entries


ui.guarded(page)
