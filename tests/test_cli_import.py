"""`sla-dashboard import`, `recompute`, `export` and `demo` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from dashboard.cli import main
from dashboard.importer.rejections import DATES_HINT
from dashboard.store import cases, imports, make_engine
from tests.importer.audit_log import write_audit_log
from tests.workbooks import repeated, workbook

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "exports"
ROOT = Path(__file__).resolve().parent.parent


def _count(url) -> int:
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("cases"):
            return 0
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(cases)).scalar_one()
    finally:
        engine.dispose()


def test_import_json_has_totals_at_the_top_and_one_entry_per_file(database_url, tmp_path, capsys):
    files = [str(FIXTURES / "zendesk_tickets.csv"), str(FIXTURES / "servicenow_rest.csv")]
    argv = ["import", *files, "--db", database_url, "--json", "--rejects-dir", str(tmp_path)]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert {k: report[k] for k in ("read", "inserted", "updated", "unchanged", "rejected")} == {
        "read": 12, "inserted": 10, "updated": 0, "unchanged": 0, "rejected": 2,
    }  # fmt: skip
    zendesk, servicenow = report["files"]
    assert (zendesk["format"], zendesk["inserted"], zendesk["rejected"]) == ("zendesk", 6, 2)
    assert zendesk["rejects_file"] == str(tmp_path / "zendesk_tickets.rejects.csv")
    assert servicenow["rejects_file"] is None
    assert any("response times cannot be scored" in n for n in servicenow["notes"])
    rejects = (tmp_path / "zendesk_tickets.rejects.csv").read_text()
    assert rejects.startswith("row,reason,Summation column,Id,")

    assert main(argv) == 0  # again: nothing changes
    again = json.loads(capsys.readouterr().out)
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 10)


def test_format_names_a_format_saved_in_the_users_folder(database_url, tmp_path, capsys):
    """--format lists and reads the built-in formats and those saved on the Import page, which
    live in the user's formats folder ($SLA_FORMATS_DIR here, tests/conftest.py)."""
    from dashboard.importer.new_format import save_format
    from tests.importer.test_new_format import CHOICES, EXPORT

    save_format(CHOICES)
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    listed = " ".join(capsys.readouterr().out.split())
    assert "canonical, freshdesk," in listed
    assert "zendesk, homegrown_desk)" in listed
    export = tmp_path / "desk.csv"
    export.write_text(EXPORT)
    argv = ["import", str(export), "--db", database_url, "--format", "homegrown_desk"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "desk.csv: 2 read, 2 inserted" in out
    assert "Our homegrown desk (homegrown_desk)" in out


def test_the_text_report_names_what_was_understood(database_url, tmp_path, capsys):
    argv = ["import", str(FIXTURES / "freshdesk_tickets.csv"), "--db", database_url]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "freshdesk_tickets.csv: 4 read, 4 inserted, 0 updated, 0 unchanged, 0 rejected" in out
    assert "Freshdesk ticket export (freshdesk), detected from its headers" in out
    assert "day/month order DMY" in out
    assert out.strip().splitlines()[-1].startswith("total: 4 read, 4 inserted")


def test_an_unusable_file_stops_everything_with_one_line(database_url, tmp_path, capsys):
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n1,2\n")
    argv = ["import", str(FIXTURES / "zendesk_tickets.csv"), str(bad), "--db", database_url]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"sla-dashboard: error: {bad}: not an export format we know")
    assert _count(database_url) == 0  # the good file was not imported either


def test_an_event_log_read_one_row_per_case_is_refused_naming_what_reads_it(
    database_url, tmp_path, capsys
):
    """Issue 12: the first row of each incident won, the rest were rejected as duplicates."""
    log = write_audit_log(tmp_path / "incident_event_log.csv")
    argv = ["import", str(log), "--format", "servicenow", "--db", database_url]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"sla-dashboard: error: {log}: case ids repeat ('INC0000045' on rows ")
    assert "this looks like an event log (one row per change)" in err
    assert err.endswith("; import it with --format servicenow_events\n")
    assert _count(database_url) == 0
    assert list(tmp_path.glob("*.rejects.csv")) == []


def test_repeated_ids_no_event_log_format_reads_ask_for_a_mapping(database_url, tmp_path, capsys):
    export = tmp_path / "cases.csv"
    row = "A,Acme,P1,2026-03-02T09:00:00Z\n"
    export.write_text("case_id,customer,severity,created_at\n" + row + row)  # exported twice
    assert main(["import", str(export), "--db", database_url, "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"sla-dashboard: error: {export}: case ids repeat ('A' on rows 2 and 3): this looks like "
        "an event log (one row per change), which the canonical format reads one row per case; "
        'write a mapping with kind = "events" (see docs/event-logs.md) and use --map FILE\n'
    )
    assert _count(database_url) == 0


ALL_REJECTED = (
    "case_id,customer,severity,created_at\n"
    "A,Acme,P1,29/2/2016 01:16\nB,Acme,P2,1/3/2016 09:52\nC,Acme,P9,2026-03-02T09:00:00Z\n"
)


def _imports(url) -> int:
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("imports"):
            return 0
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(imports)).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_an_import_storing_nothing_exits_non_zero_naming_the_commonest_reason(
    database_url, tmp_path, capsys, as_json
):
    """Issue 12: every row rejected, "0 inserted", and exit status 0."""
    export = tmp_path / "cases.csv"
    export.write_text(ALL_REJECTED)
    argv = ["import", str(export), "--db", database_url, *(["--json"] if as_json else [])]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"sla-dashboard: error: {export}: nothing stored: all 3 rows were rejected; most common "
        "reason (2 rows): created_at '29/2/2016 01:16' is not a valid date-time (expected ISO "
        f"8601 like 2026-03-02T09:15:00Z); {DATES_HINT}\n"
    )
    assert (_count(database_url), _imports(database_url)) == (0, 0)  # not even the import log
    assert list(tmp_path.glob("*.rejects.csv")) == []


def test_one_file_storing_nothing_refuses_the_whole_command(database_url, tmp_path, capsys):
    export = tmp_path / "cases.csv"
    export.write_text(ALL_REJECTED)
    argv = ["import", str(FIXTURES / "freshdesk_tickets.csv"), str(export), "--db", database_url]
    assert main(argv) == 2
    assert f"{export}: nothing stored: all 3 rows were rejected" in capsys.readouterr().err
    assert (_count(database_url), _imports(database_url)) == (0, 0)  # a failed import: nothing


def test_a_workbook_expanding_to_100_mb_of_cell_text_is_refused_storing_nothing(
    database_url, tmp_path, capsys
):
    """Issue 13: a 2 MB .xlsx whose cells held 100 MB ran 40 minutes at 5 GB. Refused from the
    zip's directory, before any XML is parsed; a workbook within the limits still imports."""
    header = ["case_id", "customer", "severity", "created_at", "subject"]
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([header, ["A1", "Acme", "P1", "2026-03-02 09:00", "Hello"]]))
    bomb = tmp_path / "cases.xlsx"
    bomb.write_bytes(
        workbook(
            [[0, 1, 2, 3, 4], ["B1", "Acme", "P1", "2026-03-02 09:00", 5]],
            [*header, repeated(b"x" * 2**20, 101)],
        )
    )
    assert main(["import", str(good), str(bomb), "--db", database_url]) == 2
    assert capsys.readouterr().err == (
        f"sla-dashboard: error: {bomb}: the text of its cells (xl/sharedStrings.xml) would "
        "expand to 101 MB (more than 16 MB): too large to read as a workbook; save the sheet "
        "as CSV and import that instead\n"
    )
    assert (_count(database_url), _imports(database_url)) == (0, 0)
    assert main(["import", str(good), "--db", database_url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["inserted"] == 1


def test_a_forced_format_and_a_date_order(database_url, tmp_path, capsys):
    export = tmp_path / "tickets.csv"
    export.write_text("Ticket ID,Priority,Created time\n1,High,01/02/2026 10:00\n")
    base = ["import", str(export), "--db", database_url, "--json"]
    assert main(base) == 2
    assert "say --date-order DMY or --date-order MDY" in capsys.readouterr().err
    assert main([*base, "--date-order", "DMY", "--format", "freshdesk"]) == 0
    assert json.loads(capsys.readouterr().out)["inserted"] == 1


@pytest.mark.slow  # kills an import running in a subprocess
def test_a_killed_import_leaves_the_database_as_it_was(database_url, tmp_path):
    assert main(["import", str(FIXTURES / "freshdesk_tickets.csv"), "--db", database_url]) == 0
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from dashboard import importing
        from dashboard.cli import main

        def die(*args, **kwargs):  # mid-transaction: cases written, log not yet finished
            os.kill(os.getpid(), signal.SIGKILL)

        importing._insert_rejects = die
        sys.exit(main(["import", {str(FIXTURES / "zendesk_tickets.csv")!r},
                       "--db", {database_url!r}, "--rejects-dir", {str(tmp_path)!r}]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False)
    assert done.returncode == -9
    assert _count(database_url) == 4  # only the first import's cases
    assert list(tmp_path.glob("*.rejects.csv")) == []  # written only after the commit


def test_recompute_export_and_demo(database_url, tmp_path, capsys):
    assert main(["demo", "--rows", "120", "--seed", "7", "--db", database_url]) == 0
    assert "demo: 120 read, 120 inserted" in capsys.readouterr().out
    assert _count(database_url) == 120

    policy = tmp_path / "strict.toml"
    policy.write_text(
        (ROOT / "data" / "policy.toml")
        .read_text()
        .replace("response_hours = 24", "response_hours = 2")
    )
    assert main(["recompute", "--db", database_url, "--policy", str(policy)]) == 0
    assert capsys.readouterr().out.startswith("recomputed 120 case(s) under policy ")

    out = tmp_path / "all.csv"
    assert main(["export", "--db", database_url, "--out", str(out)]) == 0
    assert out.read_text().count("\n") == 121
    assert main(["demo", "--rows", "30", "--out", str(tmp_path / "demo.csv")]) == 0
    assert (tmp_path / "demo.csv").read_text().startswith("case_id,customer,plan,severity,")


def test_import_warns_when_stored_cases_follow_another_policy(database_url, tmp_path, capsys):
    assert main(["demo", "--rows", "10", "--db", database_url]) == 0
    policy = tmp_path / "strict.toml"
    policy.write_text(
        (ROOT / "data" / "policy.toml")
        .read_text()
        .replace("response_hours = 4", "response_hours = 3")
    )
    argv = ["import", str(FIXTURES / "servicenow_rest.csv"), "--db", database_url,
            "--policy", str(policy)]  # fmt: skip
    assert main(argv) == 0
    assert "10 stored case(s) were scored under another policy; run sla-dashboard recompute" in (
        capsys.readouterr().err
    )


def test_an_unwritable_rejects_folder_stops_the_import_before_the_database(
    database_url, tmp_path, capsys
):
    blocker = tmp_path / "notadir"
    blocker.write_text("")
    argv = ["import", str(FIXTURES / "zendesk_tickets.csv"), "--db", database_url,
            "--rejects-dir", str(blocker)]  # fmt: skip
    assert main(argv) == 2
    assert "cannot write it" in capsys.readouterr().err
    assert _count(database_url) == 0


def test_rejects_files_of_namesakes_do_not_overwrite_each_other(database_url, tmp_path, capsys):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.csv").write_text(
            "case_id,severity,created_at\nA,P9,2026-03-02T09:00:00Z\nB,P1,2026-03-02T09:00:00Z\n"
        )
    out = tmp_path / "rejects"
    out.mkdir()
    argv = ["import", str(tmp_path / "a" / "x.csv"), str(tmp_path / "b" / "x.csv"),
            "--db", database_url, "--rejects-dir", str(out), "--source", "s"]  # fmt: skip
    assert main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == ["x-2.rejects.csv", "x.rejects.csv"]


def test_an_unreachable_database_is_one_line(tmp_path, capsys):
    export = FIXTURES / "servicenow_rest.csv"
    url = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"
    assert main(["import", str(export), "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sla-dashboard: error: ")
    assert err.count("\n") == 1
    missing = tmp_path / "nowhere" / "x.sqlite"
    assert main(["import", str(export), "--db", f"sqlite:///{missing}"]) == 2
    assert f"no folder {missing.parent}" in capsys.readouterr().err
    assert not missing.parent.exists()


NOT_REFRESHED = "the data is saved, but planner statistics were not refreshed"


def test_a_warning_after_the_commit_is_one_line_and_the_import_stands(
    tmp_path, capsys, monkeypatch
):
    import warnings

    from dashboard import importing
    from dashboard.store import StatisticsWarning

    def warn(_engine):
        warnings.warn(NOT_REFRESHED, StatisticsWarning, stacklevel=2)

    monkeypatch.setattr(importing, "LARGE_WRITE", 1)
    monkeypatch.setattr(importing, "refresh_statistics", warn)
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    assert main(["import", str(FIXTURES / "servicenow_rest.csv"), "--db", url]) == 0
    assert capsys.readouterr().err == f"sla-dashboard: warning: {NOT_REFRESHED}\n"
    assert _count(url) > 0


# -- issue 13, edges -------------------------------------------------------------------------------

# UTF-8 with accents, but for one customer name pasted in from a latin-1 file
MIXED = (
    "case_id,customer,severity,created_at,first_response_at\n"
    "U1,Hôtel Étoile,P1,2026-03-02 09:00,2026-03-02 10:00\n"
    "U2,Café Müller,P2,2026-03-02 09:00,2026-03-02 11:00\n"
).encode() + b"L1,Soci\xe9t\xe9 G,P1,2026-03-02 09:00,2026-03-02 10:00\n"


def test_a_byte_that_is_not_utf8_rejects_its_row_and_goes_back_out_unchanged(
    database_url, tmp_path, capsys
):
    """The row was rejected, then writing the rejects file raised a traceback (pandas' str
    dtype cannot hold the byte): the import named no file, row or column and stored nothing."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    assert main(["import", str(path), "--db", database_url]) == 0
    out = capsys.readouterr().out
    assert "mixed.csv: 3 read, 2 inserted, 0 updated, 0 unchanged, 1 rejected" in out
    assert "CSV, UTF-8 with 2 byte(s) that are not UTF-8, comma-separated" in out
    assert f"rejected rows, with reasons -> {tmp_path / 'mixed.rejects.csv'}" in out
    rejects = (tmp_path / "mixed.rejects.csv").read_bytes()
    # the row named, the column and why; the record written back as it was read
    assert rejects.startswith(b"row,reason,case_id,customer,")
    shown = "Soci\ufffdt\ufffd G".encode()
    assert b"4,customer '" + shown + b"' holds bytes that are not UTF-8 " in rejects
    assert b",L1,Soci\xe9t\xe9 G,P1," in rejects
    assert _count(database_url) == 2


def test_compute_writes_the_rejects_of_such_a_file_too(tmp_path, capsys):
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    out = tmp_path / "scored.csv"
    assert main(["compute", str(path), "--out", str(out), "--as-of", "2026-03-03T12:00Z"]) == 0
    assert out.read_text().count("\n") == 3  # header and the two good cases
    assert b",L1,Soci\xe9t\xe9 G," in (tmp_path / "scored.rejects.csv").read_bytes()


@pytest.mark.parametrize(
    ("name", "logged"),
    [(b"caf\xe9.csv", "caf_.csv"), (b"tab\tand\x01.csv", "tab_and_.csv"),
     (b"line\nbreak.csv", "line_break.csv")],
)  # fmt: skip
def test_a_file_name_with_any_byte_is_logged_printable(database_url, tmp_path, name, logged):
    """A file name is bytes: one not UTF-8 made the import fail with a traceback (no database
    stores it); control characters reached the import log as they were."""
    import os

    source = FIXTURES / "freshdesk_tickets.csv"
    path = os.path.join(os.fsencode(tmp_path), name)
    with open(path, "wb") as copy:
        copy.write(source.read_bytes())
    assert main(["import", os.fsdecode(path), "--db", database_url]) == 0
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(select(imports.c.file_name)).scalars().all() == [logged]
    engine.dispose()


# -- one source of truth (issue 15): the same case ids under two sources are refused ---------


def test_case_ids_stored_under_another_source_are_refused(database_url, tmp_path, capsys):
    """`make run` loads the sample as 'sample'; importing the same file as 'canonical' would
    count every case twice. Refused, nothing written, with the two ways forward."""
    sample = str(ROOT / "data" / "sample_cases.csv")
    rejects = ["--rejects-dir", str(tmp_path)]
    assert main(["import", sample, "--db", database_url, "--source", "sample", *rejects]) == 0
    stored, logged = _count(database_url), _imports(database_url)
    capsys.readouterr()
    assert main(["import", sample, "--db", database_url, *rejects]) == 2
    error = capsys.readouterr().err
    assert (
        "sample_cases.csv: 1,996 of its case ids are already stored under another source "
        "(1,996 under 'sample'; e.g. FLX-10001, FLX-10002, FLX-10003): imported as 'canonical' "
        "each would be counted twice. To update them, import under the same source "
        "(--source sample); to store both anyway, give --keep-both"
    ) in error
    assert (_count(database_url), _imports(database_url)) == (stored, logged)  # nothing written
    # the same source updates (here: nothing changed); --keep-both stores them twice, as asked
    assert main(["import", sample, "--db", database_url, "--source", "sample", *rejects]) == 0
    assert "1996 unchanged" in capsys.readouterr().out
    assert main(["import", sample, "--db", database_url, "--keep-both", *rejects]) == 0
    assert _count(database_url) == 2 * stored


def test_two_files_of_one_import_under_two_sources_are_refused(database_url, tmp_path, capsys):
    """No --source: each file's source is its format's name; the same ids in both would be two
    sources at once."""
    canonical = tmp_path / "tickets.csv"
    canonical.write_text(
        "case_id,customer,severity,created_at,first_response_at\n"
        "1201,Acme,P2,2026-03-02T09:15:00Z,2026-03-02T10:00:00Z\n"
    )
    zendesk = str(FIXTURES / "zendesk_tickets.csv")
    argv = ["import", zendesk, str(canonical), "--db", database_url, "--rejects-dir", str(tmp_path)]
    assert main(argv) == 2
    assert "tickets.csv: 1 of its case ids are already stored under another source (1 under " \
        "'zendesk'; e.g. 1201)" in capsys.readouterr().err  # fmt: skip
    assert _count(database_url) == 0
    assert main([*argv, "--source", "helpdesk"]) == 0  # one source: the later row updates


def test_demo_cases_are_not_the_samples(database_url, tmp_path):
    """`sla-dashboard demo` beside the sample: its generated cases have ids of their own."""
    assert main(["demo", "--rows", "50", "--db", database_url]) == 0
    assert main(["import", str(ROOT / "data" / "sample_cases.csv"), "--db", database_url,
                 "--source", "sample", "--rejects-dir", str(tmp_path)]) == 0  # fmt: skip


def test_make_run_then_make_demo_counts_every_case_once(database_url, tmp_path, capsys):
    """`make run` loads the sample as 'sample'; `make demo` then imports the same file with the
    Makefile's own arguments: every case once (issue 15: L1 14 -> 28 cases before)."""
    from dashboard.importing import load_sample_if_empty
    from dashboard.policy import load_policy
    from dashboard.store import open_database

    engine = open_database(database_url)
    try:
        load_sample_if_empty(engine, load_policy())
    finally:
        engine.dispose()
    stored = _count(database_url)
    recipe = (ROOT / "Makefile").read_text().split("\ndemo:", 1)[1]
    line = next(line for line in recipe.splitlines() if "sla-dashboard import" in line)
    args = line.split("sla-dashboard ", 1)[1].split()
    args = [str(ROOT / a) if a.endswith(".csv") else a for a in args]
    args[args.index("--rejects-dir") + 1] = str(tmp_path)
    assert main([*args, "--db", database_url]) == 0
    assert "0 inserted" in capsys.readouterr().out
    assert _count(database_url) == stored
