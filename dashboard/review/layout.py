"""The pack's content as the reader sees it: formatted text, one dict a table row.

The HTML and PDF writers share it, so both say exactly the same; the workbook keeps the real
numbers and dates instead (dashboard/review/to_xlsx.py).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard import charts, readable
from dashboard.downloads import chart_bytes
from dashboard.reconcile import MATRIX_LABELS, why
from dashboard.review import wording
from dashboard.review.content import ReviewPack
from dashboard.review.summary import summary

# Where the figures come from: said once, under the title (a closing note could land alone on
# the PDF's last page, issue 15).
PROVENANCE = (
    "Made by sla-dashboard from the helpdesk exports: response and resolution times "
    "recomputed under the policy below, not taken from the helpdesk."
)


def text(pack: ReviewPack) -> dict:
    labels = charts.severity_labels({s.level: s.name for s in pack.policy.severities})
    names = {s.level: f"L{s.level} {s.name}" for s in pack.policy.severities}
    now, before = pack.headline.totals, pack.previous_headline.totals
    zone = pack.policy.calendar.zone
    earlier = {s.level: s for s in pack.previous_headline.severities}
    shown = {
        "summary": list(summary(pack).sentences()),
        "provenance": PROVENANCE,
        "period": pack.period.label(),
        "previous": pack.previous.label(),
        "as_of": readable.instant(pack.as_of, zone, with_zone=True),
        "period_end": readable.instant(pack.period_end, zone),
        "policy_rows": [
            {
                "severity": r.severity,
                "target": _business(r.response_target_hours),
                # a column the policy table has only when the policy sets resolution targets
                "resolution_target": _business(getattr(r, "resolution_target_hours", None)),
                "impact": r.impact,
            }
            for r in pack.policy_table.itertuples()
        ],
        # resolution targets are optional (issue 12): their columns only when the policy sets some
        "resolution_targets": pack.policy.has_resolution_targets,
        "scope_in": pack.policy.scope.in_scope,
        "scope_out": list(pack.policy.scope.out_of_scope.values()),
        "severity_rows": [
            {
                "severity": names[r.severity],
                "target": readable.hours(r.target_hours),
                "cases": r.cases,
                "met": r.met,
                "breached": r.breached,
                "pending": r.pending,
                "attainment": wording.rate(_none(r.attainment), r.met + r.breached),
                "previous_attainment": wording.rate(
                    _none(r.previous_attainment), _judged(earlier[r.severity].counts)
                ),
                "change": wording.change(_none(r.attainment), _none(r.previous_attainment)),
                "median": readable.hours(_none(r.median_hours)),
                "previous_median": readable.hours(_none(r.previous_median_hours)),
                "p90": readable.hours(_none(r.p90_hours)),
                "previous_p90": readable.hours(_none(r.previous_p90_hours)),
            }
            for r in pack.severities.itertuples()
        ],
        "resolution_rows": [
            {
                "severity": names[r.severity],
                "resolved": r.resolved,
                "previous_resolved": r.previous_resolved,
                "median": readable.hours(_none(r.resolution_median_hours)),
                "previous_median": readable.hours(_none(r.previous_resolution_median_hours)),
                "p90": readable.hours(_none(r.resolution_p90_hours)),
                "previous_p90": readable.hours(_none(r.previous_resolution_p90_hours)),
                **(
                    {
                        "target": readable.hours(_none(r.resolution_target_hours)),
                        "met": r.resolution_met,
                        "breached": r.resolution_breached,
                        "attainment": wording.rate(
                            _none(r.resolution_attainment),
                            r.resolution_met + r.resolution_breached,
                        ),
                        "previous_attainment": wording.rate(
                            _none(r.previous_resolution_attainment),
                            _judged(earlier[r.severity].resolution),
                        ),
                    }
                    if pack.policy.has_resolution_targets
                    else {}
                ),
            }
            for r in pack.severities.itertuples()
        ],
        "totals": {
            "cases": now.cases,
            "met": now.met,
            "breached": now.breached,
            "pending": now.pending,
            "attainment": wording.rate(now.attainment, _judged(now)),
            "previous_attainment": wording.rate(before.attainment, _judged(before)),
            "change": wording.change(now.attainment, before.attainment),
        },
        "breach_rows": [
            {
                "case_id": r.case_id,
                "severity": names.get(int(r.severity), r.severity),
                "subject": _text(r.subject),
                "overshoot": readable.hours(r.overshoot_hours),
                "explanation": r.explanation,
            }
            for r in pack.breaches.assign(
                overshoot_hours=pack.breaches["business_hours"] - pack.breaches["target_hours"]
            ).itertuples()
        ],
        "backlog_rows": [
            {"severity": names[r.level], "open_cases": r.open_cases, "overdue": r.overdue}
            for r in pack.backlog.itertuples()
        ],
        "overdue_rows": [
            {
                "case_id": r.case_id,
                "severity": names.get(int(r.severity), r.severity),
                "subject": _text(r.subject),
                "created": readable.instant(pd.Timestamp(r.created_at).to_pydatetime(), zone),
                "deadline": readable.instant(
                    pd.Timestamp(r.response_deadline).to_pydatetime(), zone
                ),
            }
            for r in pack.overdue.itertuples()
        ],
        "ageing_rows": [
            {
                "bucket": str(r.bucket),
                "severity": names.get(int(r.severity), r.severity),
                "cases": r.cases,
            }
            for r in pack.ageing.itertuples()
        ],
        "dismissal_rows": [
            {
                "reason": r.reason,
                "dismissed": r.dismissed,
                "rate": wording.rate(_none(r.rate), r.cases),
                "policy_wording": r.policy_wording,
            }
            for r in pack.dismissals.itertuples()
        ],
        "channel_rows": [
            {
                "severity": names.get(int(r.severity), r.severity),
                "channel": r.channel or "(none)",
                "cases": r.cases,
                "note": "email outside an emergency" if r.email_outside_emergency else "",
            }
            for r in pack.channels.itertuples()
        ],
        "quality_rows": pack.data_quality.to_dict("records"),
        "labels": labels,
        "reconciliation": _reconciliation(pack, names),
        "trend_note": trend_note(pack),
    }
    # the footnote only where a mark is shown
    shown["small_note"] = wording.SMALL_NOTE if _marked(shown) else ""
    return shown


def _marked(value) -> bool:
    """Some rate in the pack's text carries the small-sample mark."""
    if isinstance(value, str):
        return value.endswith(wording.SMALL_MARK) and value[:-1].endswith("%")
    if isinstance(value, dict):
        return any(_marked(v) for v in value.values())
    if isinstance(value, list):
        return any(_marked(v) for v in value)
    return False


def _judged(counts) -> int:
    return counts.met + counts.breached


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _reconciliation(pack: ReviewPack, names: dict[int, str]) -> dict | None:
    """Our verdicts beside the helpdesk's, in words; None when the pack was made without."""
    found = pack.reconciliation
    if found is None:
        return None
    cases = found.disagreements
    return {
        "compared": found.totals.compared,
        "agreement": readable.share(found.totals.agreement),
        "headline": found.headline() or "",
        "from_figures": (found.figures_note() or "") + ("." if found.from_figures else ""),
        "matrix_labels": MATRIX_LABELS,
        "severity_rows": [
            {
                "severity": "All" if s.level is None else names[s.level],
                "compared": s.compared,
                "both_met": s.both_met,
                "both_breached": s.both_breached,
                "we_met_they_breached": s.we_met_they_breached,
                "we_breached_they_met": s.we_breached_they_met,
                "agreement": readable.share(s.agreement),
            }
            for s in (*found.severities, found.totals)
            if s.level is None or s.compared
        ],
        "cause_rows": [
            {
                "cause": c["label"],
                "cases": c["cases"],
                "share": readable.share(c["share"]),
                "meaning": c["description"],
            }
            for c in found.as_json()["causes"]
        ],
        "case_rows": [
            {
                "case_id": r.case_id,
                "severity": names.get(int(r.severity), r.severity),
                "ours": r.response_status,
                "helpdesk": r.helpdesk,
                "our_time": readable.duration(r.response_business_seconds),
                "helpdesk_time": readable.duration(r.helpdesk_seconds),
                "why": why(r.cause, r.cause_detail),
            }
            for r in cases.itertuples()
        ],
    }


def trend_chart(pack: ReviewPack):
    """The attainment trend, or None when nothing in the period was judged; a point resting
    on fewer than 10 judged cases is drawn hollow (issue 15)."""
    if pack.trend.empty or not pack.trend["attainment"].notna().any():
        return None
    labels = charts.severity_labels({s.level: s.name for s in pack.policy.severities})
    chart = charts.attainment_trend(pack.trend, labels, goal=pack.policy.attainment_goal)
    judged = pack.trend["met"] + pack.trend["breached"]
    few = pack.trend[pack.trend["attainment"].notna() & judged.map(wording.small)].copy()
    if few.empty:
        return chart
    few["severity_label"] = few["severity"].map(labels)
    few["attainment"] = few["attainment"].astype(float)
    hollow = (
        alt.Chart(few)
        .mark_point(filled=False, fill="white", size=70, strokeWidth=2, opacity=1)
        .encode(
            x=alt.X("period:O", sort=None),
            y=alt.Y("attainment:Q"),
            color=alt.Color("severity_label:N", legend=None),
        )
    )
    return alt.layer(chart, hollow)


def trend_note(pack: ReviewPack) -> str:
    """What a point of the trend is, and what a hollow one means."""
    if trend_chart(pack) is None:
        return ""
    grain = "week (its Monday)" if pack.trend_grain == "week" else "month"
    return (
        f"Attainment per {grain} and severity. A hollow point rests on fewer than "
        f"{wording.SMALL_SAMPLE_CASES} judged cases: read it as a handful of cases, not a rate."
    )


def trend_image(pack: ReviewPack, kind: str) -> bytes | None:
    chart = trend_chart(pack)
    if chart is None:
        return None
    # A fixed width: "container" means nothing outside a page.
    return chart_bytes(chart.properties(width=640, height=240), kind)


def _business(hours) -> str:
    """A target as the policy table says it: '4h 00m of business time', or 'none'."""
    return "none" if _none(hours) is None else f"{readable.hours(hours)} of business time"


def _none(value):
    return None if value is None or pd.isna(value) else value
