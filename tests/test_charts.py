"""Chart builders: checked on their Vega-Lite spec (marks, encodings, colours, tooltips), never
on pixels; and the pre-aggregations that keep per-case rows out of the browser."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import buckets, charts

LABELS = charts.severity_labels({1: "Urgent", 2: "High", 3: "Medium", 4: "Low"})


def _spec(chart) -> dict:
    return chart.to_dict()


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _tooltip_fields(layer: dict) -> list[str]:
    return [t["field"] for t in layer["encoding"]["tooltip"]]


def test_one_palette_for_verdicts_everywhere():
    assert charts.STATUS_COLOURS["met"] != charts.STATUS_COLOURS["breached"]
    frame = pd.DataFrame(
        {
            "period": ["2026-03", "2026-04"],
            "met": [5, 0],
            "breached": [1, 2],
            "pending": [0, 1],
            "invalid": [0, 0],
            "unscored": [0, 0],
        }
    )
    spec = _spec(charts.status_bars(frame))
    scale = spec["encoding"]["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"], strict=True))
    assert colours["met"] == charts.STATUS_COLOURS["met"]
    assert colours["breached"] == charts.STATUS_COLOURS["breached"]
    assert colours["pending"] == charts.STATUS_COLOURS["pending"]
    assert spec["mark"]["type"] == "bar"


def test_attainment_trend_draws_the_goal_and_shows_counts_behind_each_rate():
    frame = pd.DataFrame(
        {
            "period": ["2026-03", "2026-03", "2026-04"],
            "severity": [1, 2, 1],
            "met": [9, 0, 0],
            "breached": [1, 0, 0],
            "attainment": [0.9, None, None],
        }
    )
    spec = _spec(charts.attainment_trend(frame, LABELS, goal=0.95))
    line, goal = _layers(spec)
    assert line["mark"]["type"] == "line"
    assert {"met", "breached", "judged", "attainment"} <= set(_tooltip_fields(line))
    assert goal["mark"]["type"] == "rule"
    data = spec["datasets"]
    values = [v for rows in data.values() for v in rows]
    assert {"goal": 0.95} in values
    judged = [v for v in values if v.get("attainment") is not None]
    assert len(judged) == 1  # periods with nothing to judge are not drawn as 0 %
    # ...and their null attainment breaks the line, never joining the periods around it
    assert line["mark"]["invalid"] == "break-paths-filter-domains"
    assert judged[0]["severity_label"] == "1 Urgent"
    assert len(_layers(_spec(charts.attainment_trend(frame, LABELS, goal=None)))) == 1


def test_response_bins_count_every_case_once_and_mark_the_target():
    target = 4 * 3600
    seconds = np.array([0, 599, 600, 4 * 3600, 4 * 3600 + 1, 8 * 3600, 100 * 3600])
    binned = buckets.response_bins(seconds, target, bins=24)
    assert binned["cases"].sum() == len(seconds)
    assert len(binned) == 25  # 24 bins of 20 minutes up to 8 h, and one for the rest
    assert binned["cases"].iloc[0] == 3  # 0, 599 and 600 s: bins include their upper end
    ending_at_target = binned[binned["to_hours"] == 4]
    assert ending_at_target["cases"].item() == 1  # exactly the target is met ...
    assert ending_at_target["within_target"].item()
    assert binned.loc[binned["from_hours"] == 4, "cases"].item() == 1  # ... one second more is not
    assert binned["cases"].iloc[-2] == 1  # 8 h exactly
    assert binned["cases"].iloc[-1] == 1  # 100 h, in the open-ended last bin
    assert binned["last_bin"].iloc[-1]
    assert not binned["within_target"].iloc[12:].any()


def test_response_histogram_has_the_target_rule():
    binned = buckets.response_bins(np.array([3600, 7200]), 4 * 3600)
    bars, rule = _layers(_spec(charts.response_histogram(binned, 4, "Level 1")))
    assert bars["mark"]["type"] == "bar"
    assert rule["mark"]["type"] == "rule"
    assert rule["encoding"]["x"]["field"] == "target"


def test_backlog_days_are_local_dates_drawn_in_utc():
    frame = pd.DataFrame(
        {"day": [pd.Timestamp("2026-03-29").date()] * 2, "severity": [1, 3], "open_cases": [2, 5]}
    )
    spec = _spec(charts.backlog_chart(frame, LABELS))
    assert spec["encoding"]["x"]["timeUnit"] == "utcyearmonthdate"
    rows = next(iter(spec["datasets"].values()))
    assert rows[0]["day"] == "2026-03-29"  # text, so no browser moves it into its own zone


def test_ageing_buckets():
    # as analytics.ageing counts them: per day created and severity, several cases a row
    ages = pd.DataFrame({"severity": [1, 1, 2, 3, 3, 3, 4],
                         "age_business_days": [0, 1, 3, 5, 2, 30, 12],
                         "cases": [1, 4, 1, 2, 3, 1, 7]})  # fmt: skip
    counted_frame = buckets.ageing_buckets(ages)
    counted = {(str(b), s): c for b, s, c in counted_frame.itertuples(index=False)}
    assert counted == {("0", 1): 1, ("1", 1): 4, ("2-5", 2): 1, ("2-5", 3): 5, ("21+", 3): 1,
                       ("11-20", 4): 7}  # fmt: skip
    assert counted_frame["cases"].sum() == ages["cases"].sum()
    spec = _spec(charts.ageing_chart(counted_frame, LABELS))
    assert spec["encoding"]["x"]["sort"] == ["0", "1", "2-5", "6-10", "11-20", "21+"]


def test_dismissal_trend_rates_come_from_counts():
    frame = pd.DataFrame(
        {
            "period": ["2026-03"],
            "cases": [40],
            "dismissed": [6],
            "rate": [0.15],
            "third_party": [4],
            "not_flux": [2],
            "infrastructure_access": [0],
            "other": [0],
        }
    )
    spec = _spec(charts.dismissal_trend(frame))
    rows = next(iter(spec["datasets"].values()))
    rates = {r["reason"]: r["rate"] for r in rows}
    assert rates == {
        "third_party": 0.1,
        "not_flux": 0.05,
        "infrastructure_access": 0.0,
        "other": 0.0,
    }
    assert {"dismissed", "cases"} <= set(_tooltip_fields(spec))


def test_opened_resolved_and_channels():
    frame = pd.DataFrame(
        {
            "period": ["2026-03-02", "2026-03-02"],
            "severity": [1, 2],
            "opened": [3, 4],
            "resolved": [1, 2],
        }
    )
    rows = next(iter(_spec(charts.opened_resolved_chart(frame))["datasets"].values()))
    assert {(r["event"], r["cases"]) for r in rows} == {("opened", 7), ("resolved", 3)}
    channels = pd.DataFrame({"severity": [3, 3], "channel": ["email", ""], "cases": [2, 1]})
    rows = next(iter(_spec(charts.channel_chart(channels, LABELS))["datasets"].values()))
    assert {r["channel"] for r in rows} == {"email", "(none)"}
