"""A database URL naming the wrong SQLite file (issue 13, edges): random bytes, a damaged
database, another application's database. Every command and the dashboard say what is wrong
in one line, and nothing is written to the file: no tables of ours in another application's
database, not even the switch to write-ahead logging."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared
from dashboard.store import DatabaseError, open_database
from tests import analytics_fixture as fixture
from tests.helpers import vendor_policy

ROOT = Path(__file__).resolve().parent.parent
POLICY = vendor_policy()


def random_bytes(path: Path) -> None:
    path.write_bytes(hashlib.sha256(b"seed").digest() * 256)  # 8 KB of noise


def another_application(path: Path) -> None:
    """With a table named like one of ours: `settings` is a common name."""
    with sqlite3.connect(path) as connection:
        connection.execute("create table notes (id integer primary key, body text)")
        connection.execute("insert into notes (body) values ('keep me')")
        connection.execute("create table settings (name text primary key, setting text)")
    connection.close()


def another_application_with_alembic(path: Path) -> None:
    """Alembic is common: a stamp alone does not make a database ours (its revision could even
    be one of our numbers)."""
    with sqlite3.connect(path) as connection:
        connection.execute("create table alembic_version (version_num varchar(32) primary key)")
        connection.execute("insert into alembic_version values ('0005')")
        connection.execute("create table invoices (id integer primary key, total real)")
    connection.close()


def damaged(path: Path) -> None:
    """Ours, with the page holding the cases table's root overwritten: it opens (the schema
    is readable), then every read of the cases fails."""
    engine = open_database(f"sqlite:///{path}")
    csv = path.with_suffix(".csv")
    csv.write_text(fixture.csv_text())
    import_prepared(engine, [prepare_file(csv, POLICY)], POLICY)
    engine.dispose()  # the last connection closed: the log is checkpointed into the file
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("pragma page_size").fetchone()[0]
        root = connection.execute(
            "select rootpage from sqlite_master where name = 'cases'"
        ).fetchone()[0]
    connection.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(bytes(page_size))


KINDS = {
    "random bytes": (random_bytes, "is not an SQLite database file, or the file is damaged"),
    "another application's": (another_application, "belongs to another application (its "
                                                    "tables: notes, settings;"),
    "another application's with Alembic": (
        another_application_with_alembic,
        "belongs to another application (its tables: alembic_version, invoices;",
    ),
    "damaged": (damaged, "is not an SQLite database file, or the file is damaged (SQLite says: "
                         "database disk image is malformed)"),
}  # fmt: skip


@pytest.fixture(params=list(KINDS))
def wrong_file(request, tmp_path) -> tuple[Path, str]:
    make, message = KINDS[request.param]
    path = tmp_path / "wrong.sqlite"
    make(path)
    return path, message


def contents(path: Path) -> bytes | list:
    """The file's bytes; of our damaged database, what is still readable: its import log (an
    import logs its start, and on failing removes that line again)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            return connection.execute("select * from imports order by id").fetchall()
    except sqlite3.DatabaseError:
        return path.read_bytes()
    finally:
        connection.close()


def tables(path: Path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        names = connection.execute("select name from sqlite_master where type = 'table'")
        found = sorted(name for (name,) in names)
    connection.close()
    return found


COMMANDS = [
    ["import", str(ROOT / "data" / "sample_cases.csv")],
    ["recompute"],
    ["export", "--out", "{folder}/out.csv"],
    ["stats", "--from", "2026-03-02", "--to", "2026-03-13"],
    ["explain", "A01"],
    ["report", "--customer", "Acme", "-o", "{folder}/acme.html"],
    ["demo", "--rows", "5"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_says_what_is_wrong_and_writes_nothing(wrong_file, command, tmp_path,
                                                              capsys):  # fmt: skip
    path, message = wrong_file
    before = contents(path)
    if message.startswith("belongs"):  # another application's: its tables, and no more
        names = tables(path)
    argv = [part.format(folder=tmp_path) for part in command]
    code = main([*argv, "--db", f"sqlite:///{path}", "--rejects-dir", str(tmp_path)]
                if command[0] == "import" else [*argv, "--db", f"sqlite:///{path}"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    [line] = err.strip().splitlines()
    assert line.startswith("sla-dashboard: error: the database 'sqlite:///")
    assert message in line
    assert contents(path) == before  # no tables, no journal mode switched, no case
    if message.startswith("belongs"):
        assert tables(path) == names
        assert not path.with_name(path.name + "-wal").exists()
    assert not (tmp_path / "out.csv").exists()
    assert not (tmp_path / "acme.html").exists()


@pytest.mark.slow  # the app through AppTest
def test_the_dashboard_says_what_is_wrong(wrong_file, monkeypatch):
    path, message = wrong_file
    before = contents(path)
    monkeypatch.setenv("SLA_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("SLA_POLICY_PATH", raising=False)
    from tests.test_app import open_app, plain  # AppTest (only tests/test_app.py imports it)

    app = open_app()
    assert not app.exception, [e.message for e in app.exception]
    shown = [plain(e) for e in app.error]
    assert any(message in text for text in shown), shown
    assert contents(path) == before


def test_an_empty_file_is_a_new_database(tmp_path):
    """What a user makes with `touch` (or SQLite with an empty file): ours to fill."""
    path = tmp_path / "new.sqlite"
    path.touch()
    open_database(f"sqlite:///{path}").dispose()
    assert "cases" in tables(path)


def test_the_refusal_is_an_error_of_ours(tmp_path):
    path = tmp_path / "notes.sqlite"
    another_application(path)
    with pytest.raises(DatabaseError, match="belongs to another application"):
        open_database(f"sqlite:///{path}")
