"""Imports under way in the import log: an import killed half-way (kill -9, a crash, a power
cut) shows there as interrupted instead of not at all (issue 13).

An import commits its line of the log as 'running' in a short transaction of its own, then
writes its cases in its own transaction, which replaces that line by a finished one. A killed
import's transaction never commits, so nothing of it is stored, and its line stays 'running':
whether the process that ran it is still alive tells an import under way from an interrupted
one.

- SQLite (all writers on one machine): the row names the host, the process id and when that
  process started (a process id is reused: the start time tells two apart).
- PostgreSQL (importers on any machine): the importing process holds a session advisory lock
  keyed by a random token the row names; the server releases it when the connection goes,
  killed process included.

An import that fails with an error (a bad file, a lost connection) removes its row again, as
it always left none: the log keeps what was stored, and what was interrupted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from dashboard.errors import DashboardError, DashboardWarning
from dashboard.store import imports, writing

RUNNING, FINISHED, INTERRUPTED = "running", "finished", "interrupted"
# What the history shows of an import still 'running' whose process cannot be checked from
# here (SQLite on a shared folder, started on another machine).
UNKNOWN = "not finished"

# PostgreSQL's advisory lock of a running import: this number and the import's random token.
_RUNNING_LOCK_KEY = 0x534C4149


class InterruptedWarning(DashboardWarning):
    """An earlier import was found interrupted (said once: it is then marked so)."""


@dataclass(frozen=True)
class Interrupted:
    """An import whose process ended before it finished: nothing of it was stored."""

    import_id: int
    file_name: str
    started_at: dt.datetime
    user_name: str

    def message(self) -> str:
        started = self.started_at.strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"import #{self.import_id} of {self.file_name} (started {started} by "
            f"{self.user_name}) did not finish: its process ended before it was saved, so "
            "nothing of it was stored; the import log shows it as interrupted"
        )


@contextlib.contextmanager
def logged(engine: Engine, rows: list[dict]) -> Iterator[list[int]]:
    """One 'running' row of the log per file (`rows`: its values), committed at once; yields
    their ids. An error removes them again; a killed process leaves them running."""
    with contextlib.ExitStack() as held:
        process = _claim(engine, held)
        with writing(engine, take_turns=False) as connection:
            ids = [
                int(
                    connection.execute(
                        insert(imports).values(**row, status=RUNNING, process=process)
                    ).inserted_primary_key[0]
                )
                for row in rows
            ]
        try:
            yield ids
        except BaseException:
            _forget(engine, ids)
            raise


def taken_over(connection: Connection, running: list[int], rows: list[dict]) -> list[int]:
    """In the import's own transaction: each running line replaced by a finished one (`rows`:
    its values), under a new id the import's cases and rejects are stored with; returns those
    ids. Both changes land with the import's commit, and the new id tells every reader keyed
    on the last import (the pages' caches, queries/data_version.sql) that the data changed."""
    ids = []
    for running_id, row in zip(running, rows, strict=True):
        ids.append(
            int(
                connection.execute(
                    insert(imports).values(**row, status=FINISHED, process=None)
                ).inserted_primary_key[0]
            )
        )
        connection.execute(delete(imports).where(imports.c.id == running_id))
    return ids


def finished(connection: Connection, import_id: int, **values) -> None:
    """The import's line, with what it stored: in the import's own transaction."""
    connection.execute(update(imports).where(imports.c.id == import_id).values(**values))


def mark_interrupted(connection: Connection, *, besides: list[int]) -> list[Interrupted]:
    """In a writer's transaction: every running import (but `besides`, the writer's own)
    whose process has ended is marked interrupted; returns them."""
    running = connection.execute(
        select(imports.c.id, imports.c.file_name, imports.c.started_at, imports.c.user_name,
               imports.c.process)
        .where(imports.c.status == RUNNING, imports.c.id.not_in(besides or [-1]))
    ).all()  # fmt: skip
    gone = [row for row in running if _alive(connection, row.process) is False]
    if gone:
        connection.execute(
            update(imports)
            .where(imports.c.id.in_([row.id for row in gone]))
            .values(status=INTERRUPTED, process=None)
        )
    return [Interrupted(row.id, row.file_name, row.started_at, row.user_name) for row in gone]


def states(engine: Engine) -> dict[int, str]:
    """Each import not finished, by id: 'running', 'interrupted' or 'not finished' (still
    running on a machine this one cannot see, or interrupted there). Reads only."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(imports.c.id, imports.c.status, imports.c.process).where(
                imports.c.status != FINISHED
            )
        ).all()
        shown = {}
        for row in rows:
            if row.status != RUNNING:
                shown[row.id] = row.status
                continue
            alive = _alive(connection, row.process)
            shown[row.id] = UNKNOWN if alive is None else RUNNING if alive else INTERRUPTED
    return shown


# -- whose import it is, and whether that process lives ------------------------------------------


def _claim(engine: Engine, held: contextlib.ExitStack) -> str:
    """What the row says of this process, for telling later whether it is alive."""
    if engine.dialect.name == "postgresql":
        token = secrets.randbelow(2**31 - 1) + 1
        connection = held.enter_context(engine.connect())
        lock = {"key": _RUNNING_LOCK_KEY, "token": token}
        connection.execute(text("select pg_advisory_lock(:key, :token)"), lock)
        connection.commit()  # a session lock: kept until unlocked, or until the session ends
        held.callback(_unlock, connection, lock)
        return json.dumps({"lock": token})
    pid = os.getpid()
    return json.dumps({"host": socket.gethostname(), "pid": pid, "started": _start_time(pid)})


def _unlock(connection: Connection, lock: dict) -> None:
    try:
        connection.execute(text("select pg_advisory_unlock(:key, :token)"), lock)
        connection.commit()
    except SQLAlchemyError:
        connection.invalidate()  # never back into the pool holding the lock


def _alive(connection: Connection, process: str | None) -> bool | None:
    """Whether the process a running row names is alive; None when it cannot be told here."""
    try:
        named = json.loads(process or "")
    except ValueError:
        return None
    if "lock" in named:
        if connection.dialect.name != "postgresql":
            return None
        held = text(
            "select count(*) from pg_locks where locktype = 'advisory' and granted "
            "and classid = :key and objid = :token and objsubid = 2 "
            "and database = (select oid from pg_database where datname = current_database())"
        )
        lock = {"key": _RUNNING_LOCK_KEY, "token": int(named["lock"])}
        return bool(connection.execute(held, lock).scalar_one())
    if named.get("host") != socket.gethostname() or os.name != "posix":
        return None
    pid = int(named["pid"])
    if Path("/proc/self/stat").exists():  # Linux: the start time tells a reused id apart
        started = _start_time(pid)
        return started is not None and started == named.get("started")
    try:
        os.kill(pid, 0)  # POSIX: signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _start_time(pid: int) -> int | None:
    """When a process started, in clock ticks since boot (Linux); None if there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces: count fields after its end.
    return int(stat.rsplit(")", 1)[1].split()[19])


def _forget(engine: Engine, ids: list[int]) -> None:
    """A failed import's rows go again, as a failed import always left none. Best effort: a
    database that cannot be reached keeps them, and they show as interrupted."""
    gone = delete(imports).where(imports.c.id.in_(ids), imports.c.status == RUNNING)
    with (
        contextlib.suppress(SQLAlchemyError, DashboardError),
        writing(engine, take_turns=False) as connection,
    ):
        connection.execute(gone)
