"""`sla-dashboard compute`: results, rejects, one-line errors and exit codes."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli import main

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "case_id,customer,severity,created_at,first_response_at,resolved_at,status,channel,"
    "dismissal_reason\n"
)
AS_OF = "2026-03-04T12:00:00Z"


def _cases(tmp_path, body, name="cases.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def _read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_compute_writes_results_rejects_and_a_one_line_summary(tmp_path, capsys):
    export = _cases(
        tmp_path,
        "A,Acme,Level 1 - Urgent,2026-02-27 17:00,2026-03-02 11:00,,resolved,portal,\n"
        "B,Acme,P2,2026-03-02 10:00,,,open,email,\n"
        "C,Globex,Sev 3,2026-03-04 09:00,,,open,portal,\n"
        "D,Globex,Low,2026-03-02 10:00,2026-03-02 09:00,,resolved,portal,\n"
        "E,Globex,P7,2026-03-02 10:00,,,open,portal,\n",
    )
    out = tmp_path / "out" / "results.csv"
    assert main(["compute", str(export), "--out", str(out), "--as-of", AS_OF]) == 0

    summary = capsys.readouterr().out.strip()
    assert summary.count("\n") == 0
    assert summary.startswith(
        f"{export}: 5 read, 4 scored (1 met, 1 breached, 1 pending, 1 invalid)"
    )
    assert "1 rejected; as of 2026-03-04T12:00:00Z" in summary

    rows = {row["case_id"]: row for row in _read(out)}
    assert list(rows) == ["A", "B", "C", "D"]
    a = rows["A"]
    assert a["severity"] == "1"
    assert a["created_at"] == "2026-02-27T17:00:00Z"
    assert a["first_response_at"] == "2026-03-02T11:00:00Z"
    assert (a["response_business_hours"], a["response_business_seconds"]) == ("3.0", "10800")
    assert a["target_hours"] == "4.0"
    assert a["response_deadline"] == "2026-03-02T12:00:00Z"
    assert (a["sla_status"], a["remaining_business_hours"]) == ("met", "")
    b = rows["B"]
    assert (b["sla_status"], b["response_business_hours"]) == ("breached", "")
    assert b["response_deadline"] == "2026-03-02T18:00:00Z"  # 8h: 10:00-18:00 exactly
    assert b["remaining_business_hours"] == "-12.0"
    c = rows["C"]
    assert (c["sla_status"], c["remaining_business_hours"]) == ("pending", "9.0")
    d = rows["D"]
    assert (d["sla_status"], d["response_business_hours"]) == ("invalid", "")

    rejects = _read(tmp_path / "out" / "results.rejects.csv")
    assert [(r["row"], r["case_id"]) for r in rejects] == [("6", "E")]
    assert rejects[0]["reason"].startswith("severity 'P7': the policy has no level 7")
    assert rejects[0]["severity"] == "P7"  # the original record is kept whole


def test_naive_timestamps_follow_timezone_and_as_of_defaults_to_now(tmp_path, capsys):
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,2026-06-01 10:00,,,,\n")
    out = tmp_path / "r.csv"
    assert main(["compute", str(export), "--out", str(out), "--timezone", "America/New_York"]) == 0
    row = _read(out)[0]
    assert row["created_at"] == "2026-06-01T13:00:00Z"
    # 13:00-14:00 UTC is 14:00-15:00 in London: one business hour under the London calendar.
    assert row["response_business_hours"] == "1.0"
    assert "as of 20" in capsys.readouterr().out


def test_a_policy_file_is_honoured(tmp_path, capsys):
    policy = tmp_path / "ny.toml"
    policy.write_text(
        '[calendar]\ntimezone = "America/New_York"\nopen = "08:00"\nclose = "17:00"\n'
        'holidays = { country = "US", subdivision = "NY" }\nclosures = ["2026-11-27"]\n'
        '[[severity]]\nlevel = 1\nname = "Critical"\nresponse_hours = 2\n'
    )
    export = _cases(tmp_path, "A,Acme,Critical,2026-11-25 16:00,2026-11-30 09:00,,,,\n")
    out = tmp_path / "r.csv"
    argv = ["compute", str(export), "--out", str(out), "--policy", str(policy), "--as-of", AS_OF]
    assert main(argv) == 0
    row = _read(out)[0]
    assert (row["response_business_hours"], row["sla_status"]) == ("2.0", "met")
    assert row["response_deadline"] == "2026-11-30T14:00:00Z"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("case_id,customer\nA,B\n", "which would need 'severity', 'created_at'"),
        ("\x00\x01\x02", "not a CSV text file"),
    ],
)
def test_unusable_file_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, content, message):
    export = tmp_path / "bad.csv"
    export.write_text(content)
    out = tmp_path / "r.csv"
    assert main(["compute", str(export), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"sla-dashboard: error: {export}: ")
    assert message in captured.err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [export]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--timezone", "Mars/Base"], "--timezone 'Mars/Base' is not a known time zone"),
        (["--as-of", "next tuesday"], "--as-of 'next tuesday' is not a valid date-time"),
        (["--policy", "missing.toml"], "missing.toml: policy file not found"),
    ],
)
def test_bad_options_exit_2_with_one_line(tmp_path, capsys, options, message):
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,,,,,\n")
    assert main(["compute", str(export), "--out", str(tmp_path / "r.csv"), *options]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err


def test_refuses_to_overwrite_its_input(tmp_path, capsys):
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,,,,,\n")
    assert main(["compute", str(export), "--out", str(export)]) == 2
    assert "refusing to overwrite the input" in capsys.readouterr().err
    assert export.read_text().startswith(HEADER)


def test_policy_warnings_are_printed(tmp_path, capsys):
    policy = tmp_path / "us.toml"
    policy.write_text(
        '[calendar]\ntimezone = "America/New_York"\nopen = "08:00"\nclose = "17:00"\n'
        'holidays = { country = "US" }\n[[severity]]\nlevel = 1\nname = "Critical"\n'
        "response_hours = 2\n"
    )
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,,,,,\n")
    argv = ["compute", str(export), "--out", str(tmp_path / "r.csv"), "--policy", str(policy)]
    assert main(argv) == 0
    assert "warning: " in capsys.readouterr().err


@pytest.mark.slow  # starts the command in subprocesses
def test_python_dash_m_and_the_console_script(tmp_path):
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,2026-06-01 09:30,,,,\n")
    out = tmp_path / "r.csv"
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "compute", str(export), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 read, 1 scored (1 met" in done.stdout
    script = Path(sys.executable).parent / "sla-dashboard"
    assert script.exists(), "the sla-dashboard console script is installed with the package"
    help_text = subprocess.run([script, "compute", "--help"], capture_output=True, text=True)
    assert "--as-of" in help_text.stdout


# -- outputs ------------------------------------------------------------------------------------


def test_results_and_rejects_cannot_be_the_same_file(tmp_path, capsys):
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,,,,,\n")
    out = tmp_path / "r.csv"
    assert main(["compute", str(export), "--out", str(out), "--rejects", str(out)]) == 2
    assert "the same file is named twice" in capsys.readouterr().err
    assert not out.exists()


def test_an_output_that_is_a_folder_is_refused(tmp_path, capsys):
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,,,,,\n")
    assert main(["compute", str(export), "--out", str(tmp_path)]) == 2
    assert "is a folder; give a file name" in capsys.readouterr().err


def test_when_the_rejects_cannot_be_written_neither_are_the_results(tmp_path, capsys):
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,,,,,\n")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    out = tmp_path / "r.csv"
    argv = ["compute", str(export), "--out", str(out), "--rejects", str(blocker / "x.csv")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cannot write it" in err
    assert not out.exists()


def test_outputs_are_readable_like_any_file_the_user_makes(tmp_path):
    export = _cases(tmp_path, "A,Acme,P1,2026-06-01 09:00,,,,,\n")
    out = tmp_path / "r.csv"
    previous = os.umask(0o022)
    try:
        assert main(["compute", str(export), "--out", str(out)]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


# -- awkward input ---------------------------------------------------------------------------


def test_blank_lines_above_the_header_keep_spreadsheet_row_numbers(tmp_path):
    export = tmp_path / "cases.csv"
    export.write_text(
        "\n\n" + HEADER + "A,Acme,P1,2026-06-01 09:00,,,,,\nB,Acme,P9,2026-06-01 09:00,,,,,\n"
    )
    out = tmp_path / "r.csv"
    assert main(["compute", str(export), "--out", str(out), "--as-of", AS_OF]) == 0
    assert [r["source_row"] for r in _read(out)] == ["4"]
    assert [r["row"] for r in _read(tmp_path / "r.rejects.csv")] == ["5"]


@pytest.mark.parametrize("value", ["2026-03-02T09Z", "now", "today", "2026-03", "2026-03-02"])
def test_timestamps_that_are_not_a_date_and_time_are_rejected_not_guessed(tmp_path, value):
    export = _cases(tmp_path, f"A,Acme,P1,{value},,,,,\nB,Acme,P1,2026-03-02 09:00,,,,,\n")
    out = tmp_path / "r.csv"
    assert main(["compute", str(export), "--out", str(out), "--as-of", AS_OF]) == 0
    [reject] = _read(tmp_path / "r.rejects.csv")
    assert reject["reason"].startswith(f"created_at {value!r} is not a valid date-time")


def test_a_deadline_past_the_holiday_list_rejects_that_case_only(tmp_path, capsys):
    # Sri Lanka's list in the holidays package ends in 2026: a Low case opened on 30 Dec 2026
    # would have its deadline in 2027, where no one knows the holidays.
    policy = tmp_path / "lk.toml"
    policy.write_text(
        '[calendar]\ntimezone = "Asia/Colombo"\nopen = "09:00"\nclose = "18:00"\n'
        'holidays = { country = "LK" }\n'
        '[[severity]]\nlevel = 1\nname = "Urgent"\nresponse_hours = 24\n'
    )
    export = _cases(tmp_path, "A,Acme,1,2026-06-01 10:00,,,,,\nB,Acme,1,2026-12-30 10:00,,,,,\n")
    out = tmp_path / "r.csv"
    argv = ["compute", str(export), "--out", str(out), "--policy", str(policy)]
    assert main([*argv, "--as-of", "2026-12-31T12:00:00Z"]) == 0
    assert [r["case_id"] for r in _read(out)] == ["A"]
    [reject] = _read(tmp_path / "r.rejects.csv")
    assert reject["reason"] == (
        "its response deadline falls after 2026, beyond the years the LK holiday list covers "
        "(2003-2026)"
    )
    assert main([*argv, "--as-of", "2027-01-05T12:00:00Z"]) == 2
    assert (
        "as of 2027-01-05T12:00:00Z is outside the years the LK holiday list covers (2003-2026)"
        in capsys.readouterr().err
    )


def test_export_and_compute_never_write_over_the_database_file(tmp_path, capsys, monkeypatch):
    """Issue 13: `export --out` (or compute's --out/--rejects) naming the SQLite file itself
    replaced every stored case with a CSV."""
    from dashboard.cli import main

    database = tmp_path / "cases.sqlite"
    url = f"sqlite:///{database}"
    assert main(["demo", "--db", url, "--rows", "20"]) == 0
    before = database.read_bytes()
    assert main(["export", "--db", url, "--out", str(database)]) == 2
    assert "refusing to write" in capsys.readouterr().err
    assert database.read_bytes() == before
    sample = Path(__file__).resolve().parent.parent / "data" / "sample_cases.csv"
    monkeypatch.setenv("SLA_DATABASE_URL", url)  # compute has no --db: the database in use
    for option in ("--out", "--rejects"):
        argv = ["compute", str(sample), "--out", str(tmp_path / "out.csv"), option, str(database)]
        assert main(argv) == 2
        assert "over the database file" in capsys.readouterr().err
    assert database.read_bytes() == before


# -- issue 15 ------------------------------------------------------------------------------------


def test_a_case_created_after_as_of_has_its_whole_target_left(tmp_path, capsys):
    """Issue 15: remaining_business_hours was 1,192 on a 4 h target for a case created after
    --as-of (the business time from --as-of to its creation added to the target)."""
    export = _cases(
        tmp_path,
        "LATER,Acme,P1,2026-09-01 10:00,,,open,portal,\nNOW,Acme,P1,2026-03-04 11:00,,,,,\n",
    )
    out = tmp_path / "r.csv"
    assert main(["compute", str(export), "--out", str(out), "--as-of", AS_OF]) == 0
    rows = {row["case_id"]: row for row in _read(out)}
    later = rows["LATER"]
    assert (later["sla_status"], later["remaining_business_hours"]) == ("pending", "4.0")
    assert later["remaining_business_seconds"] == "14400"
    assert rows["NOW"]["remaining_business_hours"] == "3.0"  # 11:00 -> 12:00 spent
    err = capsys.readouterr().err
    assert "1 case(s) created after --as-of 2026-03-04T12:00:00Z: pending, with their whole " in err


def test_an_export_without_first_responses_is_not_called_scored(tmp_path, capsys):
    """Issue 15: "67 scored (0 met, 0 breached, 0 pending, 0 invalid, 67 unscored)"."""
    export = ROOT / "tests" / "fixtures" / "exports" / "servicenow_rest.csv"
    out = tmp_path / "r.csv"
    assert main(["compute", str(export), "--out", str(out), "--as-of", AS_OF]) == 0
    summary = capsys.readouterr().out
    assert (
        ": 4 read, 0 scored, 4 unscored (the export records no first responses), 0 rejected;"
        in (summary)
    )
    assert [row["sla_status"] for row in _read(out)] == ["unscored"] * 4


def test_scored_and_unscored_cases_are_counted_apart(tmp_path, capsys):
    export = tmp_path / "mixed.csv"
    export.write_text(
        "case_id,severity,created_at,first_response_at,response_recorded\n"
        "A,P1,2026-03-02 09:00,2026-03-02 10:00,true\n"
        "B,P1,2026-03-02 09:00,,false\n"
    )
    out = tmp_path / "r.csv"
    assert main(["compute", str(export), "--out", str(out), "--as-of", AS_OF]) == 0
    assert "2 read, 1 scored (1 met, 0 breached, 0 pending, 0 invalid), 1 unscored (" in (
        capsys.readouterr().out
    )
