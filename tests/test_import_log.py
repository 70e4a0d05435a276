"""The import log keeps imports under way (dashboard/import_log.py): a killed import shows as
interrupted, having stored nothing, on the command line, in the history and on the Import
page (issue 13, edges); a failed import still leaves no line."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboard import import_log, views
from dashboard.cli import main
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.store import cases, imports, open_database, writing
from tests.helpers import vendor_policy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "exports"
POLICY = vendor_policy()


def count(engine, table=cases) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def history(engine) -> list[tuple]:
    frame = views.import_history(engine)
    return list(zip(frame["file_name"], frame["status"], frame["inserted"], strict=True))


def settled(engine, file_name: str, timeout: float = 60) -> list[tuple]:
    """The history once `file_name`'s import is no longer running: PostgreSQL notices a killed
    client's closed connection (and frees its lock) a moment after the kill."""
    deadline = time.monotonic() + timeout
    while True:
        shown = history(engine)
        if ((file_name, import_log.RUNNING, 0) not in shown) or time.monotonic() > deadline:
            return shown
        time.sleep(0.2)


KILLED_MID_WRITE = """
import os, signal, sys
from dashboard import importing
from dashboard.cli import main

def die(*args, **kwargs):  # mid-transaction: cases written, the log line not yet finished
    os.kill(os.getpid(), signal.SIGKILL)

importing._insert_rejects = die
sys.exit(main(["import", {path!r}, "--db", {url!r}, "--rejects-dir", {folder!r}]))
"""


def killed_import(path: Path, database_url: str, folder: Path) -> None:
    script = KILLED_MID_WRITE.format(path=str(path), url=database_url, folder=str(folder))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False)
    assert done.returncode == -signal.SIGKILL


@pytest.mark.slow  # kills an import running in a subprocess
def test_a_killed_import_shows_as_interrupted_and_stored_nothing(
    engine, database_url, tmp_path, capsys
):
    assert main(["import", str(FIXTURES / "freshdesk_tickets.csv"), "--db", database_url]) == 0
    killed_import(FIXTURES / "zendesk_tickets.csv", database_url, tmp_path)
    assert settled(engine, "zendesk_tickets.csv") == [
        ("zendesk_tickets.csv", "interrupted", 0),
        ("freshdesk_tickets.csv", "finished", 4),
    ]
    assert count(engine) == 4  # only the first import's cases
    capsys.readouterr()
    # The next import says so, once, and marks it in the log
    again = ["import", str(FIXTURES / "zendesk_tickets.csv"), "--db", database_url,
             "--rejects-dir", str(tmp_path)]  # fmt: skip
    assert main(again) == 0
    err = capsys.readouterr().err
    # ids: a running line, then its finished one (1 -> 2); the killed import's running line (3)
    assert "warning: import #3 of zendesk_tickets.csv (started " in err
    assert "did not finish: its process ended before it was saved, so nothing of it " in err
    with engine.connect() as connection:
        query = select(imports.c.id, imports.c.status).order_by(imports.c.id)
        stored = connection.execute(query).all()
    assert [status for _, status in stored] == ["finished", "interrupted", "finished"]
    assert stored[1].id == 3
    assert main(again) == 0
    assert "did not finish" not in capsys.readouterr().err
    assert count(engine) == 4 + 6


@pytest.mark.slow  # a large import in a subprocess, killed from outside while it writes
def test_an_import_killed_from_outside_while_it_writes(engine, database_url, tmp_path):
    path = tmp_path / "big.csv"
    rows = (f"B{i:06d},Customer {i % 50},P{1 + i % 4},2026-03-{2 + i % 9:02d} 10:00,"
            f"2026-03-{2 + i % 9:02d} 11:00\n" for i in range(150_000))  # fmt: skip
    path.write_text("case_id,customer,severity,created_at,first_response_at\n" + "".join(rows))
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "import", str(path), "--db", database_url],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while count(engine, imports) == 0:  # read, checked: now it writes
            assert process.poll() is None, "the import finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert history(engine) == [("big.csv", "running", 0)]
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert settled(engine, "big.csv") == [("big.csv", "interrupted", 0)]
    assert count(engine) == 0


def test_a_failed_import_leaves_no_line(engine, tmp_path, monkeypatch):
    from dashboard import importing

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(importing, "_insert_rejects", fail)
    prepared = prepare_file(FIXTURES / "freshdesk_tickets.csv", POLICY)
    with pytest.raises(RuntimeError, match="disk is full"):
        import_prepared(engine, [prepared], POLICY)
    assert count(engine, imports) == 0
    assert count(engine) == 0


def test_an_import_under_way_shows_as_running(engine):
    row = {"file_name": "now.csv", "checksum": "0" * 64, "file_size": 1, "format": "canonical",
           "source": "canonical", "description": "", "user_name": "tester", "rows_read": 1,
           "inserted": 0, "updated": 0, "unchanged": 0, "rejected": 0,
           "policy_fingerprint": POLICY.fingerprint, "notes": ""}  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    with import_log.logged(engine, [{**row, "started_at": now, "finished_at": now}]) as ids:
        assert import_log.states(engine) == {ids[0]: "running"}
        assert history(engine) == [("now.csv", "running", 0)]
        other = open_database(str(engine.url.render_as_string(hide_password=False)))
        try:  # another writer (the next import) sees it alive and leaves it running
            with writing(other) as connection:
                assert import_log.mark_interrupted(connection, besides=[]) == []
        finally:
            other.dispose()
    assert count(engine, imports) == 1  # no error: the line stays (import_prepared finishes it)


def test_a_process_on_another_machine_cannot_be_told_dead(tmp_path):
    """SQLite only: PostgreSQL asks the server (an advisory lock), wherever the import runs."""
    engine = open_database(f"sqlite:///{tmp_path / 'log.sqlite'}")
    elsewhere = json.dumps({"host": "another-machine", "pid": 1, "started": 1})
    with engine.connect() as connection:
        assert import_log._alive(connection, elsewhere) is None
        mine = import_log._claim(engine, None)
        assert import_log._alive(connection, mine) is True
        gone = json.dumps({**json.loads(mine), "started": -1})  # the id, reused since
        assert import_log._alive(connection, gone) is False
    engine.dispose()


@pytest.mark.slow  # the page through AppTest
def test_the_import_page_history_shows_an_interrupted_import(engine, database_url, tmp_path,
                                                             monkeypatch):  # fmt: skip
    killed_import(FIXTURES / "zendesk_tickets.csv", database_url, tmp_path)
    settled(engine, "zendesk_tickets.csv")
    monkeypatch.setenv("SLA_DATABASE_URL", database_url)
    monkeypatch.delenv("SLA_POLICY_PATH", raising=False)
    from tests.test_app import open_app  # AppTest (only tests/test_app.py imports it)

    app = open_app("import")
    assert not app.exception
    shown = next(d.value for d in app.dataframe if "File" in d.value.columns)
    assert shown[["File", "Status", "New"]].values.tolist() == [
        ["zendesk_tickets.csv", "interrupted", 0]
    ]


def test_a_reader_during_the_import_sees_a_new_data_version_once_it_lands(engine, monkeypatch):
    """The pages key their caches on the data version (the last import's id among others): the
    running line, visible before the import commits, must not pass for the finished import."""
    from dashboard import importing

    seen = []
    insert_rejects = importing._insert_rejects

    def read_then_write(*args, **kwargs):  # mid-import, from another connection
        seen.append((views.data_version(engine), history(engine)))
        insert_rejects(*args, **kwargs)

    monkeypatch.setattr(importing, "_insert_rejects", read_then_write)
    import_prepared(engine, [prepare_file(FIXTURES / "freshdesk_tickets.csv", POLICY)], POLICY)
    [(during, shown)] = seen
    assert shown == [("freshdesk_tickets.csv", "running", 0)]
    assert views.data_version(engine) != during
    assert history(engine) == [("freshdesk_tickets.csv", "finished", 4)]
