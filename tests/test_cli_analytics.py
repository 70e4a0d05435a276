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
    assert out[3].startswith("counted   Mon 09 Mar 2026 09:00 - 10:00")
    assert out[4].split() == ["skipped", "1", "weekend", "63h", "00m"]
    assert out[-1] == (
        "answered  Mon 09 Mar 2026 10:00: 2h 00m business hours -> met (deadline Tue 10 Mar 2026 "
        "11:00)"  # Fri 1 h + Mon 9 h + Tue 2 h
    )


def test_explain_full_shows_every_stretch(db, capsys):
    assert main(["explain", "A06", "--db", db, "--full"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].startswith("counted   Fri 06 Mar 2026 17:00 - 18:00")
    assert out[3].startswith("skipped   Fri 06 Mar 2026 18:00 - Mon 09 Mar 2026 09:00")
    assert out[3].endswith("63h 00m  (night, weekend)")
    assert out[4].startswith("counted   Mon 09 Mar 2026 09:00 - 10:00")
    assert out[-1].startswith("answered  Mon 09 Mar 2026 10:00")


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


# -- issue 15: explain reads in a screen ---------------------------------------------------------

EXPORT_HEADER = "case_id,customer,severity,created_at,first_response_at,resolved_at,status\n"


def _imported(database_url, tmp_path, capsys, rows: str) -> str:
    export = tmp_path / "long_waits.csv"
    export.write_text(EXPORT_HEADER + rows)
    assert main(["import", str(export), "--db", database_url, "--source", "waits",
                 "--rejects-dir", str(tmp_path)]) == 0  # fmt: skip
    capsys.readouterr()
    return database_url


def test_explain_sums_up_what_was_skipped_by_name(database_url, tmp_path, capsys):
    """Easter 2026 in England:
            March / April 2026
       Mo Tu We Th Fr Sa Su
       23 24 25[26]27 28 29     created Thu 26 Mar 10:00 (clocks go forward Sun 29)
       30 31  1  2 GF  4  5     Good Friday 3 Apr
       EM  7  8  9 10 11 12     Easter Monday 6 Apr
       13 14[15]                as of Wed 15 Apr 12:00
    Nights: Thu 26; Mon 30, Tue 31, Wed 1; Tue 7, Wed 8, Thu 9; Mon 13, Tue 14. Weekends:
    28-29, 11-12, and the Easter one (counted with its holidays)."""
    db = _imported(database_url, tmp_path, capsys, "E1,Acme,4,2026-03-26 10:00,,,open\n")
    assert main(["explain", "E1", "--db", db, "--as-of", "2026-04-15T12:00"]) == 0
    out = capsys.readouterr().out.splitlines()
    counted = [line for line in out if line.startswith("counted")]
    assert len(counted) == 13  # 12 working days, and Wed 15 to noon
    [skipped] = [line for line in out if line.startswith("skipped")]
    assert skipped.startswith("skipped   9 nights, 3 weekends, Good Friday, Easter Monday")
    assert out.index(skipped) == out.index(counted[-1]) + 1  # counted, then skipped, then why
    assert out[-1].startswith("as of     Wed 15 Apr 2026 12:00: unanswered, 110h 00m business")


def test_a_year_old_case_reads_in_a_screen_and_full_shows_every_day(database_url, tmp_path, capsys):
    db = _imported(database_url, tmp_path, capsys, "Y1,Acme,2,2025-04-01 09:00,,,open\n")
    argv = ["explain", "Y1", "--db", db, "--as-of", "2026-04-30T12:00"]
    assert main(argv) == 0
    summary = capsys.readouterr().out.splitlines()
    assert len(summary) <= 40
    [between] = [line for line in summary if "--full shows each" in line]
    assert between.startswith("counted   ")
    [skipped] = [line for line in summary if line.startswith("skipped")]
    assert "Good Friday x2, Easter Monday x2" in skipped
    assert "Christmas Day, Boxing Day" in skipped
    assert main([*argv, "--full"]) == 0
    full = capsys.readouterr().out.splitlines()
    assert len(full) > 500
    assert full[-1] == summary[-1]  # the same verdict
    assert main([*argv, "--json"]) == 0
    explained = json.loads(capsys.readouterr().out)
    assert (explained["summary"], explained["lines"]) == (summary, full)
    counted = sum(s["seconds"] for s in explained["stretches"] if s["kind"] == "counted")
    assert counted == explained["business_seconds"]


def test_an_unscored_case_walks_no_calendar(db, capsys):
    """Issue 15: an unscored case's ledger ran from its creation to --as-of, years of lines."""
    argv = ["explain", "U01", "--db", db, "--as-of", "2036-03-13T12:00:00Z"]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "created   Tue 03 Mar 2026 10:00",
        "the export records no first responses: no verdict (deadline Wed 04 Mar 2026 13:00)",
    ]
    assert main([*argv, "--full", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stretches"] == []


def test_explain_before_the_case_was_created_has_its_whole_target_left(db, capsys):
    """F01 is created Fri 13 Mar 15:00, after the fixture's as-of (12:00)."""
    assert main(["explain", "F01", "--db", db, "--as-of", "2026-03-13T12:00:00Z"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "as of     Fri 13 Mar 2026 12:00: not created yet, 24h 00m left -> pending (deadline "
        "Wed 18 Mar 2026 12:00)"  # Fri 3 h + Mon 9 h + Tue 9 h + Wed 3 h
    )


# -- issue 15: options a support manager mistypes ------------------------------------------------


MISTYPED = [
    (["--customer", "Acm"],
     "--customer 'Acm': no stored case has this customer (did you mean 'Acme'?)"),
    (["--customer", "globex"],
     "--customer 'globex': no stored case has this customer (did you mean 'Globex'?)"),
    (["--severity", "7"], "--severity '7' is not a level of the policy; its levels: "
     "1 Urgent, 2 High, 3 Medium, 4 Low"),
    (["--severity", "Urgnt"],
     "--severity 'Urgnt' is not a level of the policy (did you mean 'Urgent'?)"),
    (["--from", "2026-03-13", "--to", "2026-03-02"],
     "--from 2026-03-13 is after --to 2026-03-02: the period has no days"),
]  # fmt: skip
MISTYPED_STATS_ONLY = [
    (["--channel", "mail"],
     "--channel 'mail': no stored case has this channel (did you mean 'email'?)"),
    (["--plan", "Gold"], "--plan 'Gold': no stored case has this plan (those stored: "
     "'Business', 'Enterprise', 'Standard')"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "options", "message"),
    [("stats", *case) for case in MISTYPED + MISTYPED_STATS_ONLY]
    + [("reconcile", *case) for case in MISTYPED],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_unknown_filter_values_exit_2_naming_close_ones(db, capsys, command, options, message):
    assert main([command, "--db", db, "--as-of", "2026-03-13T12:00:00Z", *options]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert message in captured.err


def test_every_unknown_value_is_named_in_one_line(db, capsys):
    argv = ["stats", "--db", db, "--customer", "Acme", "--customer", "Initek", "--channel", "fax"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'Initek': no stored case has this customer (did you mean 'Initech'?)" in err
    assert (
        "--channel 'fax': no stored case has this channel (those stored: 'email', 'portal')" in err
    )
    assert "'Acme'" not in err


def test_a_severity_is_its_level_or_its_name(db, capsys):
    for spelling in ("2", "L2", "P2", "High", "level 2 - high"):
        assert main(["stats", "--db", db, *PERIOD, "--json", "--severity", spelling]) == 0
        figures = json.loads(capsys.readouterr().out)
        assert [s["cases"] for s in figures["severities"]] == [0, 8, 0, 0], spelling


def test_compare_without_another_policy_is_refused(db, capsys):
    assert main(["stats", "--db", db, *PERIOD, "--compare"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--compare needs --policy OTHER.toml" in err
    assert main(["stats", "--db", db, *PERIOD, "--compare", "--policy",
                 str(ROOT / "data" / "policy.toml")]) == 2  # fmt: skip


@pytest.mark.parametrize(
    ("options", "period"),
    [
        (["--customer", "Initech", "--plan", "Enterprise"],
         "cases created on any day (no case matches these filters)"),
        (["--from", "2026-04-01"], "cases created from 2026-04-01 (no case matches these filters)"),
        (["--to", "2026-01-31"], "cases created up to 2026-01-31 (no case matches these filters)"),
    ],
)  # fmt: skip
def test_no_header_reads_none_when_no_case_matches(db, tmp_path, capsys, options, period):
    assert main(["stats", "--db", db, "--as-of", "2026-03-13T12:00:00Z", *options]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith(f"SLA figures for {period}, as of 2026-03-13T12:00:00Z")
    policy = tmp_path / "stricter.toml"
    policy.write_text((ROOT / "data" / "policy.toml").read_text().replace(
        "response_hours = 4", "response_hours = 2"))  # fmt: skip
    argv = ["stats", "--db", db, "--as-of", "2026-03-13T12:00:00Z", *options, "--compare",
            "--policy", str(policy)]  # fmt: skip
    assert main(argv) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.startswith(f"{period}, as of")
    assert "None" not in header
