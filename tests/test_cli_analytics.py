"""`sla-dashboard stats` and `explain` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard import store
from dashboard.cli import main

ROOT = Path(__file__).resolve().parent.parent
PERIOD = ["--from", "2026-03-02", "--to", "2026-03-13", "--as-of", "2026-03-13T12:00:00Z"]


@pytest.fixture
def db(db, database_url):
    """The fixture database (conftest.py), by the URL the command line takes."""
    return database_url


def test_stats_json(db, capsys):
    assert main(["stats", "--db", db, *PERIOD, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) >= {"as_of", "period", "severities", "totals", "backlog", "dismissals"}
    assert figures["totals"]["cases"] == 40
    assert figures["backlog"]["open"] == 11
    urgent = figures["severities"][0]
    assert (urgent["resolved"], urgent["median_resolution_hours"],
            urgent["p90_resolution_hours"]) == (6, 5.5, 9.0)  # fmt: skip
    assert "resolution_met" not in urgent  # the vendor's policy sets no resolution target


def test_stats_filters(db, capsys):
    argv = ["stats", "--db", db, *PERIOD, "--json", "--customer", "Globex", "--severity", "2",
            "--severity", "3", "--channel", "portal", "--plan", "Business"]  # fmt: skip
    assert main(argv) == 0
    figures = json.loads(capsys.readouterr().out)
    assert [s["cases"] for s in figures["severities"]] == [0, 3, 3, 0]


def test_stats_text(db, capsys):
    assert main(["stats", "--db", db, *PERIOD]) == 0
    out = capsys.readouterr().out
    assert "SLA figures for cases created 2026-03-02 .. 2026-03-13" in out
    assert "1 Urgent   4h 00m      8    5         2        1        0       71.4%" in out
    assert (
        "open at 2026-03-13T12:00:00Z: 11 (level 1: 2, level 2: 4, level 3: 2, level 4: 3)" in out
    )
    assert "dismissed as out of scope: 5 of 40 (12.5%)" in out
    # resolution times by hand (tests/test_analytics.py: EXPECTED_RESOLUTION), readable
    lines = out.splitlines()
    start = lines.index(
        "resolution time of the 29 case(s) resolved by 2026-03-13T12:00:00Z (business time from "
        "creation to resolution, less pauses)"
    )
    assert [line.split() for line in lines[start + 1 : start + 6]] == [
        ["severity", "resolved", "median", "p90"],
        ["1", "Urgent", "6", "5h", "30m", "9h", "00m"],
        ["2", "High", "4", "9h", "30m", "10h", "21m"],  # 10.35 h
        ["3", "Medium", "10", "3h", "00m", "14h", "06m"],  # 14.1 h
        ["4", "Low", "9", "3h", "00m", "28h", "00m"],
    ]


def test_stats_with_resolution_targets(db, tmp_path, capsys):
    policy = tmp_path / "resolution.toml"
    policy.write_text((ROOT / "data" / "policy.toml").read_text().replace(
        "response_hours = 4\n", "response_hours = 4\nresolution_hours = 6\n"))  # fmt: skip
    assert main(["stats", "--db", db, *PERIOD, "--policy", str(policy)]) == 0
    captured = capsys.readouterr()
    assert "figures computed in memory" in captured.err  # stored under the vendor's policy
    lines = captured.out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("resolution time of"))
    assert lines[start + 1].split() == ["severity", "resolved", "target", "met", "breached",
                                        "attainment", "median", "p90"]  # fmt: skip
    # level 1 in 6 h: A01 (6 h exactly), G01, G02, G12 met; A02 (10 h), A03 (8 h) breached
    assert lines[start + 2].split() == ["1", "Urgent", "6", "6h", "00m", "4", "2", "66.7%",
                                        "5h", "30m", "9h", "00m"]  # fmt: skip
    assert lines[start + 3].split()[:7] == ["2", "High", "4", "-", "0", "0", "-"]
    assert main(["stats", "--db", db, *PERIOD, "--policy", str(policy), "--json"]) == 0
    urgent = json.loads(capsys.readouterr().out)["severities"][0]
    assert {k: urgent[k] for k in ("resolution_target_hours", "resolution_met",
                                   "resolution_breached")} == {
        "resolution_target_hours": 6, "resolution_met": 4, "resolution_breached": 2}  # fmt: skip


def test_stats_compare_under_another_policy(db, tmp_path, capsys):
    policy = tmp_path / "stricter.toml"
    policy.write_text((ROOT / "data" / "policy.toml").read_text().replace(
        "response_hours = 4", "response_hours = 2"))  # fmt: skip
    assert main(["stats", "--db", db, *PERIOD, "--policy", str(policy), "--compare", "--json"]) == 0
    compared = json.loads(capsys.readouterr().out)
    assert compared["stored"]["severities"][0]["met"] == 5
    assert compared["other"]["severities"][0]["met"] == 3
    assert main(["stats", "--db", db, *PERIOD, "--policy", str(policy), "--compare"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].split() == ["severity", "target", "->", "other", "attainment", "->", "other",
                                "breached", "->", "other", "p90", "->", "other"]  # fmt: skip
    assert table[2].split()[:6] == ["1", "Urgent", "4h", "00m", "2h", "00m"]


def test_stats_under_a_policy_the_store_does_not_follow_says_so(db, tmp_path, capsys):
    policy = tmp_path / "stricter.toml"
    policy.write_text((ROOT / "data" / "policy.toml").read_text().replace(
        "response_hours = 4", "response_hours = 2"))  # fmt: skip
    assert main(["stats", "--db", db, *PERIOD, "--policy", str(policy), "--json"]) == 0
    captured = capsys.readouterr()
    assert "figures computed in memory" in captured.err
    assert json.loads(captured.out)["severities"][0]["met"] == 3


def test_bad_dates_are_refused(db, capsys):
    assert main(["stats", "--db", db, "--from", "2026-13-01"]) == 2
    assert "--from '2026-13-01' is not a date YYYY-MM-DD" in capsys.readouterr().err


def test_explain(db, capsys):
    assert main(["explain", "A06", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "A06 (canonical): Acme, level 3 Medium, target 12h 00m business hours (Europe/London)"
    )
    assert out[2].startswith("counted   Fri 06 Mar 2026 17:00 - 18:00")
    assert "(night, weekend)" in out[3]
    assert out[-1] == (
        "answered  Mon 09 Mar 2026 10:00: 2h 00m business hours -> met (deadline Tue 10 Mar 2026 "
        "11:00)"  # Fri 1 h + Mon 9 h + Tue 2 h
    )


def test_explain_unanswered_and_json(db, capsys):
    argv = ["explain", "A11", "--db", db, "--as-of", "2026-03-13T12:00:00Z", "--json"]
    assert main(argv) == 0
    explained = json.loads(capsys.readouterr().out)
    assert (explained["status"], explained["business_seconds"]) == ("breached", 39 * 3600)
    assert explained["lines"][-1].endswith(
        "31h 00m over -> breached (deadline Mon 09 Mar 2026 17:00)"
    )


def test_explain_an_unknown_case(db, capsys):
    assert main(["explain", "NOPE", "--db", db]) == 2
    assert "no case 'NOPE'" in capsys.readouterr().err


def test_the_default_database_starts_with_the_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(store, "DEFAULT_SQLITE_PATH", tmp_path / "sla_dashboard.sqlite")
    monkeypatch.delenv(store.DATABASE_URL_ENV, raising=False)
    assert main(["stats", "--json", "--as-of", "2026-11-21T12:00:00Z"]) == 0
    captured = capsys.readouterr()
    assert "loaded the bundled sample" in captured.err
    assert json.loads(captured.out)["totals"]["cases"] == 1996
