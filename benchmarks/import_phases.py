"""Where an import's time goes: one import of the canonical export (bench_import's file),
timed phase by phase. Prints figures; asserts nothing.

The import goal (issue 16) is a ratio of wall-clock seconds; this says which part of ours to
work on: reading, mapping and validating the file, making the rows, the driver storing them,
the indexes, the summaries, the commit. Each phase is the wall-clock time of
the functions or statements named beside it (SQL statements as the driver runs them), so a
phase on the second core (SQLite's sorter threads) counts once.

    .venv/bin/python -m benchmarks.import_phases [--rows N] [--url URL]

The default is 1M rows into a fresh SQLite file; --url postgresql+psycopg://... for
PostgreSQL (its schema is emptied first).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import importlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, event

from benchmarks.bench_import import WORKDIR, make_export

# An import into a fresh schema counts its summaries in memory, in a thread beside the index
# build (dashboard/summaries_from_memory.py): what the import then waits for that thread and
# writes every summary table, its INSERTs included (no statement inside is timed on its own)
_SUMMARIES = "summaries: the wait, the writes"
# Statements by the phase they belong to (the first that matches); the rest are "other".
_STATEMENTS = [
    ("rows: the driver's INSERT", re.compile(r"^insert into cases ", re.I)),
    ("indexes", re.compile(r"^create index \S+ on cases ", re.I)),
]
# Functions by phase: (module, attribute). Each is timed as a whole, nested ones included.
_FUNCTIONS = [
    ("read the file", "dashboard.importer.prepare", "read_grid"),
    ("map the columns", "dashboard.importer.prepare", "apply_format"),
    ("validate", "dashboard.importer.prepare", "validate_cases"),
    ("score", "dashboard.importer.prepare", "score_validated"),
    ("rows: made and stored", "dashboard.importing", "insert_rows"),
    (_SUMMARIES, "dashboard.importing", "refresh_summaries"),
]


def timed_import(path: Path, url: str) -> tuple[float, dict[str, float]]:
    """Import `path` into a fresh schema at `url`; (total seconds, seconds by phase)."""
    from dashboard.importer.prepare import prepare_file
    from dashboard.importing import import_prepared
    from dashboard.policy import load_policy
    from dashboard.store import make_engine, metadata, upgrade_schema

    engine = make_engine(url)
    metadata.drop_all(engine)
    with engine.begin() as connection:  # a fresh schema, created again
        connection.exec_driver_sql("drop table if exists alembic_version")
    upgrade_schema(engine)
    policy = load_policy()
    phases: dict[str, float] = collections.defaultdict(float)
    with _functions_timed(phases), _statements_timed(engine, phases):
        began = time.perf_counter()
        prepared = prepare_file(path, policy, as_of=int(time.time()))
        import_prepared(engine, [prepared], policy)
        total = time.perf_counter() - began
    engine.dispose()
    return total, dict(phases)


_RUNNING: list[str] = []  # the phases of the timed functions running, outermost first


@contextlib.contextmanager
def _functions_timed(phases: dict[str, float]) -> Iterator[None]:
    originals = []
    for phase, module_name, name in _FUNCTIONS:
        module = importlib.import_module(module_name)
        original = getattr(module, name)
        originals.append((module, name, original))
        setattr(module, name, _timer(original, phase, phases))
    try:
        yield
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


def _timer(function, phase: str, phases: dict[str, float]):
    @functools.wraps(function)
    def timed(*args, **kwargs):
        began = time.perf_counter()
        _RUNNING.append(phase)
        try:
            return function(*args, **kwargs)
        finally:
            _RUNNING.pop()
            phases[phase] += time.perf_counter() - began

    return timed


@contextlib.contextmanager
def _statements_timed(engine: Engine, phases: dict[str, float]) -> Iterator[None]:
    started: list[float] = []

    def before(*_args) -> None:
        started.append(time.perf_counter())

    def after(_connection, _cursor, statement, *_rest) -> None:
        seconds = time.perf_counter() - started.pop()
        if _SUMMARIES in _RUNNING:
            return
        text = " ".join(statement.split())
        for phase, pattern in _STATEMENTS:
            if pattern.match(text):
                phases[phase] += seconds
                return

    commit = engine.dialect.do_commit

    def timed_commit(dbapi_connection) -> None:
        began = time.perf_counter()
        try:
            commit(dbapi_connection)
        finally:
            phases["commits"] += time.perf_counter() - began

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    engine.dialect.do_commit = timed_commit
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        engine.dialect.do_commit = commit


def report(total: float, phases: dict[str, float]) -> list[str]:
    """The table printed: each phase's seconds and share, in the import's order."""
    order = [p for p, *_ in _FUNCTIONS[:4]] + [
        "rows: made and stored",
        "rows: the driver's INSERT",
        "indexes",
        _SUMMARIES,
        "commits",
    ]
    # "made and stored" includes the driver's INSERT: the rows' making is the difference
    made = phases.get("rows: made and stored", 0.0) - phases.get("rows: the driver's INSERT", 0.0)
    top = sum(phases.get(p, 0.0) for p in order if p != "rows: the driver's INSERT")
    lines = [f"{'phase':<34}{'seconds':>9}{'share':>8}"]
    for phase in order:
        if phase == "rows: the driver's INSERT" and phase not in phases:
            continue  # PostgreSQL's COPY
        seconds = phases.get(phase, 0.0)
        label = phase
        if phase == "rows: made and stored" and "rows: the driver's INSERT" in phases:
            label = "rows: made (Python)"  # PostgreSQL's COPY is no statement: both, there
        value = made if phase == "rows: made and stored" else seconds
        lines.append(f"{label:<34}{value:>9.2f}{value / total:>8.0%}")
    lines.append(f"{'other':<34}{total - top:>9.2f}{(total - top) / total:>8.0%}")
    lines.append(f"{'total':<34}{total:>9.2f}{1:>8.0%}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", default=None, help="a database URL (default: a new SQLite file)")
    args = parser.parse_args()
    path = make_export(args.rows)
    url = args.url
    if url is None:
        target = WORKDIR / "phases.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{target}"
    total, phases = timed_import(path, url)
    print(f"# import phases: {args.rows:,} canonical rows into {url.split(':')[0]}")
    print("\n".join(report(total, phases)))


if __name__ == "__main__":
    main()
