"""Several writers and readers at once, on SQLite (WAL, busy timeout) and PostgreSQL (an
advisory lock): two imports both land, one after the other; the dashboard's figures keep
coming while an import holds the write lock, and never show half of one."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from dashboard import periods, views
from dashboard.cli import main
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.policy import load_policy
from dashboard.queries import Filters
from dashboard.store import cases, make_engine, open_database, writing
from tests import analytics_fixture as fixture

pytestmark = pytest.mark.slow  # subprocesses and threads racing for the database

ROOT = Path(__file__).resolve().parent.parent
POLICY = load_policy()
HEADER = "case_id,customer,severity,created_at,first_response_at,channel\n"


def export(path: Path, prefix: str, rows: int) -> Path:
    lines = [
        f"{prefix}{i:05d},Customer {i % 7},P{1 + i % 4},2026-03-{2 + i % 9:02d} 10:00,"
        f"2026-03-{2 + i % 9:02d} 11:00,portal\n"
        for i in range(rows)
    ]
    path.write_text(HEADER + "".join(lines))
    return path


def count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(cases)).scalar_one()


def test_two_cli_imports_at_once_both_land(engine, database_url, tmp_path):
    files = [export(tmp_path / f"{p}.csv", p, 20_000) for p in ("A", "B")]
    command = [sys.executable, "-m", "dashboard", "import", "--db", database_url, "--json"]
    started = [
        subprocess.Popen([*command, str(f), "--rejects-dir", str(tmp_path)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for f in files
    ]  # fmt: skip
    results = [p.communicate(timeout=300) for p in started]
    for process, (out, err) in zip(started, results, strict=True):
        assert process.returncode == 0, err
        assert json.loads(out)["inserted"] == 20_000
    assert count(engine) == 40_000


def test_a_cli_import_and_an_app_import_at_once(engine, database_url, tmp_path, monkeypatch):
    """The page's import and the CLI's, started together: both land."""
    from tests.test_app import open_app  # AppTest: the page's own import path

    monkeypatch.setenv("SLA_DATABASE_URL", database_url)
    cli = export(tmp_path / "cli.csv", "C", 20_000)
    page = export(tmp_path / "page.csv", "P", 500)
    app = open_app("import")
    app.file_uploader[0].upload("page.csv", page.read_bytes(), "text/csv").run()
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "import", str(cli), "--db", database_url,
         "--rejects-dir", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    app.button(key="import").click().run()
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert not app.exception
    assert not app.error, [e.value for e in app.error]
    assert count(engine) == 20_500


def test_the_dashboard_answers_while_an_import_holds_the_write_lock(engine, tmp_path):
    path = tmp_path / "fixture.csv"
    path.write_text(fixture.csv_text())
    import_prepared(engine, [prepare_file(path, POLICY)], POLICY)
    view = views.View(Filters(), periods.Period(*fixture.PERIOD), fixture.AS_OF)
    expected = views.overview(engine, POLICY, view).severities["cases"].tolist()
    holding, release = threading.Event(), threading.Event()

    def writer():
        with writing(engine) as connection:  # an import in the middle of its transaction
            connection.execute(insert(cases), [_half_written_case()])
            holding.set()
            release.wait(timeout=60)
            raise RuntimeError("the import fails: its transaction rolls back")

    thread = threading.Thread(target=lambda: _swallow(writer))
    thread.start()
    try:
        assert holding.wait(timeout=30)
        began = time.monotonic()
        shown = views.overview(engine, POLICY, view).severities["cases"].tolist()
        assert time.monotonic() - began < 10  # answered, not queued behind the writer
        assert shown == expected  # and nothing of the unfinished import is seen
    finally:
        release.set()
        thread.join(timeout=60)
    assert views.overview(engine, POLICY, view).severities["cases"].tolist() == expected


def _swallow(function) -> None:
    with contextlib.suppress(RuntimeError):  # the writer's own failure: its rollback is the point
        function()


def _half_written_case() -> dict:
    import datetime as dt

    created = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    return {
        "source": "canonical", "case_id": "HALF", "customer": "Acme", "plan": "Enterprise",
        "severity": 1, "severity_label": "P1", "created_at": created,
        "response_recorded": True, "content_hash": 1, "first_import_id": 1,
        "last_import_id": 1, "created_local_date": created.date(),
        "created_local_week": dt.date(2026, 3, 2), "created_local_month": "2026-03",
        "created_local_quarter": "2026-Q1", "target_seconds": 14400,
        "response_deadline": created, "response_breach_at": created,
        "policy_fingerprint": POLICY.fingerprint,
    }  # fmt: skip


@pytest.mark.parametrize("schema", ["new database", "existing schema"])
def test_a_second_writer_waits_rather_than_fails(database_url, tmp_path, capsys, schema):
    """An import started while another holds the lock waits for it, then lands (a new
    database: opening it, which creates the tables, waits too)."""
    engine = (open_database if schema == "existing schema" else make_engine)(database_url)
    path = export(tmp_path / "late.csv", "L", 50)
    holding, done = threading.Event(), threading.Event()

    def first():
        with writing(engine):
            holding.set()
            time.sleep(2)
        done.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(timeout=30)
    code = main(["import", str(path), "--db", database_url, "--rejects-dir", str(tmp_path)])
    thread.join()
    assert done.is_set()
    assert code == 0, capsys.readouterr().err
    assert count(engine) == 50
    engine.dispose()


def test_a_writer_that_waits_too_long_is_told_why(engine, database_url, monkeypatch):
    """Past WAIT_FOR_WRITER_MS, after saying it waits (SQLite and PostgreSQL alike)."""
    from dashboard import store

    holding, release = threading.Event(), threading.Event()

    def first():
        with writing(engine):
            holding.set()
            release.wait(timeout=60)

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(timeout=30)
    second = store.make_engine(database_url)
    monkeypatch.setattr(store, "WAIT_FOR_WRITER_MS", 300)  # instead of 15 minutes, for the test
    try:
        waited = pytest.warns(store.WaitingWarning, match="waiting for it to finish")
        refused = pytest.raises(store.DatabaseError, match=r"sla-dashboard .* held the database "
                                                           r"for 0\.3 s; try again")  # fmt: skip
        with waited, refused:
            _write_nothing(second)
    finally:
        release.set()
        thread.join(timeout=60)
        second.dispose()


def _write_nothing(engine) -> None:
    with writing(engine):
        pass


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_writers_in_two_postgresql_schemas_do_not_wait_for_each_other(database_url):
    """The writers' lock is per schema: another deployment (or test run) sharing the database
    server in its own schema has its own tables, and is no reason to wait."""
    import uuid

    import sqlalchemy

    from dashboard import store
    from tests.conftest import POSTGRES_URL

    other = f"test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'create schema "{other}"')
    first = store.make_engine(database_url)
    second = store.make_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{other}")
    try:
        with writing(first), warnings.catch_warnings():
            warnings.simplefilter("error", store.WaitingWarning)  # waiting would fail here
            _write_nothing(second)
    finally:
        first.dispose()
        second.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f'drop schema "{other}" cascade')
        admin.dispose()


def test_four_imports_started_together_all_land(engine, database_url, tmp_path):
    """Issue 13: four imports at once on one SQLite file lost the last ones, "database is
    locked" after SQLite's silent 30 s. Here an import holds the lock for longer than that
    while four more start: each says it waits, then all land (PostgreSQL alike)."""
    files = {p: export(tmp_path / f"{p}.csv", p, 2_000) for p in ("A", "B", "C", "D")}
    holding, release = threading.Event(), threading.Event()

    def first():
        with writing(engine):
            holding.set()
            release.wait(timeout=180)

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(timeout=30)
    began = time.monotonic()
    command = [sys.executable, "-m", "dashboard", "import", "--db", database_url, "--json",
               "--rejects-dir", str(tmp_path)]  # fmt: skip
    started = [
        _Run([*command, str(path), "--source", f"helpdesk-{p}"]) for p, path in files.items()
    ]
    try:
        for run in started:  # each says it waits...
            assert run.waiting.wait(timeout=120), run.stderr()
        if engine.dialect.name == "sqlite":  # ...for longer than SQLite's 30 s busy timeout
            time.sleep(max(0.0, 35 - (time.monotonic() - began)))
    finally:
        release.set()
        thread.join(timeout=60)
    for run in started:
        out = run.finish()
        assert run.process.returncode == 0, run.stderr()
        assert json.loads(out)["inserted"] == 2_000
    assert count(engine) == 8_000
    with engine.connect() as connection:
        sources = connection.execute(select(cases.c.source).distinct()).scalars().all()
    assert sorted(sources) == [f"helpdesk-{p}" for p in "ABCD"]


class _Run:
    """A command run in the background, its stderr read as it comes."""

    WAITING = "is writing to the database: waiting for it to finish"

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self.waiting = threading.Event()
        self._reader = threading.Thread(target=self._read)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)
            if self.WAITING in line:
                self.waiting.set()

    def stderr(self) -> str:
        return "".join(self.lines)

    def finish(self) -> str:
        with self.process.stdout, self.process.stderr:
            out = self.process.stdout.read()
            self.process.wait(timeout=300)
            self._reader.join(timeout=60)
        return out
