"""Schema upgrades in place (dashboard/migrations/), on SQLite and PostgreSQL.

tests/fixtures/schema_v4.sqlite was written by release 0.1.0 (schema 4, before migrations):
the bundled sample, the Zendesk and Jira fixtures, then the sample again (four imports, three
sources, rejects); schema_v4_stats.json is what that release's `sla-dashboard stats` printed
for it. On PostgreSQL the same database is rebuilt from the frozen baseline tables and every
row of the file. Opening it with this program must upgrade it in place and change no figure.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, event, func, insert, inspect, select, text

from dashboard import __version__, migrations, periods, queries, store, views
from dashboard import time_lists as time_lists_module
from dashboard.cli import main
from dashboard.export import export_canonical
from dashboard.importer.prepare import prepare_file
from dashboard.importing import import_prepared, stale_cases
from dashboard.policy import load_policy
from dashboard.queries import Filters
from dashboard.recompute import recompute_stored

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "schema_v4.sqlite"
GOLDEN_STATS = ROOT / "tests" / "fixtures" / "schema_v4_stats.json"
STATS = ["--as-of", "2026-11-30T12:00:00Z", "--from", "2025-06-01", "--to", "2026-11-30"]
VIEW = views.View(
    Filters(),
    periods.Period(dt.date(2025, 6, 1), dt.date(2026, 11, 30)),
    dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC),
)  # the same figures as STATS, through the pages' own code
BASELINE = store.revision(store.BASELINE_VERSION)


def baseline() -> MetaData:
    """The tables of schema 4, as frozen in the baseline revision."""
    return migrations.scripts().get_revision(BASELINE).module.schema_4


def rows_of_schema_4(engine: Engine) -> dict[str, Counter]:
    """Every row of every schema-4 table, typed as the program reads them (instants as aware
    UTC datetimes on both databases), so SQLite and PostgreSQL rows compare equal."""
    with engine.connect() as connection:
        return {
            name: Counter(tuple(row) for row in connection.execute(select(*_columns_4(name))))
            for name in baseline().tables
        }


def _columns_4(name: str) -> list:
    return [store.metadata.tables[name].c[column.name] for column in baseline().tables[name].c]


@pytest.fixture
def release_rows(tmp_path) -> dict[str, Counter]:
    pristine = tmp_path / "pristine.sqlite"  # a copy: opening a file writes its WAL beside it
    shutil.copy(FIXTURE, pristine)
    engine = store.make_engine(f"sqlite:///{pristine}")
    yield rows_of_schema_4(engine)
    engine.dispose()


@pytest.fixture
def v4_database(database_url, tmp_path) -> str:
    """The URL of a database as release 0.1.0 left it, not yet opened by this program."""
    if database_url.startswith("sqlite:///"):
        shutil.copy(FIXTURE, database_url.removeprefix("sqlite:///"))
        return database_url
    shutil.copy(FIXTURE, tmp_path / "source.sqlite")
    source = store.make_engine(f"sqlite:///{tmp_path / 'source.sqlite'}")
    target = store.make_engine(database_url)
    baseline().create_all(target)
    with source.connect() as reading, target.begin() as writing:
        for table in baseline().sorted_tables:  # imports before the rejects that refer to them
            rows = [dict(r._mapping) for r in reading.execute(select(*_columns_4(table.name)))]
            writing.execute(insert(store.metadata.tables[table.name]), rows)
        for table in ("imports", "import_rejects"):  # as if the rows had been inserted here
            writing.execute(text(f"select setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(select max(id) from {table}))"))  # fmt: skip
    source.dispose()
    target.dispose()
    return database_url


def stored_revision(engine: Engine | str) -> tuple[str | None, str | None]:
    """(Alembic's stamp, settings.schema_version) of an engine's database, or a URL's."""
    if isinstance(engine, str):
        bare = store.make_engine(engine)
        try:
            return stored_revision(bare)
        finally:
            bare.dispose()
    with engine.connect() as connection:
        stamp = None
        if inspect(connection).has_table("alembic_version"):
            stamp = connection.execute(text("select version_num from alembic_version")).scalar()
        version = connection.execute(
            select(store.settings.c.value).where(store.settings.c.key == "schema_version")
        ).scalar()
    return stamp, version


def writes_during(engine: Engine, action) -> list[str]:
    """The statements of `action` on the engine that write or lock for writing."""
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    writing = ("create", "alter", "drop", "insert", "update", "delete", "begin immediate")
    return [s for s in seen if s.strip().lower().startswith(writing) or "advisory" in s]


# -- a database of the current release -----------------------------------------------------------


SUMMARIES = ("case_counts", "case_moves")


def _summed(rows: Counter, table: str) -> Counter:
    """A summary's counts (its last column, or last two for case_moves) per key."""
    counts = 2 if table == "case_moves" else 1
    summed: Counter = Counter()
    for row, times in rows.items():
        for i, value in enumerate(row[-counts:]):
            summed[(*row[:-counts], i)] += value * times
    return summed


def test_a_release_database_is_upgraded_in_place_keeping_every_row(v4_database, release_rows):
    assert stored_revision(v4_database) == (None, "4")
    engine = store.open_database(v4_database)
    assert stored_revision(engine) == (store.HEAD_REVISION, str(store.SCHEMA_VERSION))
    version_4, version_now = ("schema_version", "4"), ("schema_version", str(store.SCHEMA_VERSION))
    # Schema 6 marks the stored figures as older than resolution times: recompute adds them.
    [scored] = [row for row in release_rows["settings"] if row[0] == "policy_fingerprint"]
    marked = ("policy_fingerprint", "before-schema-6")
    settings = release_rows["settings"] - Counter([version_4, scored])
    settings += Counter([version_now, marked])
    upgraded = rows_of_schema_4(engine)
    kept = {name: rows for name, rows in release_rows.items() if name not in SUMMARIES}
    assert {n: r for n, r in upgraded.items() if n not in SUMMARIES} == {
        **kept, "settings": settings}  # imports too  # fmt: skip
    # schema 10 rebuilds the summaries by source: the same counts, summed over the sources
    for name in SUMMARIES:
        assert _summed(upgraded[name], name) == _summed(release_rows[name], name)
        with engine.connect() as connection:
            table = store.metadata.tables[name]
            unsourced = select(func.count()).select_from(table).where(table.c.source.is_(None))
            assert connection.execute(unsourced).scalar_one() == 0, name
    assert sum(release_rows["imports"].values()) == 4
    with engine.connect() as connection:
        versions = connection.execute(select(store.imports.c.program_version)).scalars().all()
    assert versions == [None] * 4  # who made the old imports is not known
    engine.dispose()


def test_an_upgraded_database_asks_for_recompute_which_adds_resolution_times(v4_database):
    policy = load_policy()
    engine = store.open_database(v4_database)
    try:
        resolved = _count(engine, store.cases.c.resolved_at.is_not(None))
        assert resolved > 0
        assert views.data_state(engine).stale_under(policy)
        assert stale_cases(engine, policy) >= resolved - _count(
            engine, store.cases.c.resolved_at < store.cases.c.created_at
        )
        recompute_stored(engine, policy)
        assert stale_cases(engine, policy) == 0
        assert not views.data_state(engine).stale_under(policy)
        timed = _count(engine, store.cases.c.resolution_business_seconds.is_not(None))
        assert timed == resolved - _count(
            engine, store.cases.c.resolved_at < store.cases.c.created_at
        )
    finally:
        engine.dispose()


def _count(engine, condition) -> int:
    from sqlalchemy import func

    with engine.connect() as connection:
        query = select(func.count()).select_from(store.cases).where(condition)
        return int(connection.execute(query).scalar_one())


def test_a_release_database_shows_the_same_figures_after_the_upgrade(v4_database, capsys):
    assert main(["stats", "--json", "--db", v4_database, *STATS]) == 0
    figures = json.loads(capsys.readouterr().out)
    golden = json.loads(GOLDEN_STATS.read_text())
    # Every figure the release printed, the same; later releases add some (issue 12: the
    # resolution figures after each severity's), which the release's cases have too.
    assert _as_released(figures, golden) == golden
    assert all(s["resolved"] > 0 for s in figures["severities"])


def _as_released(shown, golden):
    """`shown` with only the keys (at every depth) that `golden` has."""
    if isinstance(golden, dict):
        return {key: _as_released(shown[key], value) for key, value in golden.items()}
    if isinstance(golden, list):
        return [_as_released(s, g) for s, g in zip(shown, golden, strict=True)]
    return shown


def test_imports_after_the_upgrade_record_the_program_that_made_them(v4_database, tmp_path):
    engine = store.open_database(v4_database)
    path = shutil.copy(ROOT / "tests" / "fixtures" / "exports" / "freshdesk_tickets.csv", tmp_path)
    policy = load_policy()
    [report] = import_prepared(engine, [prepare_file(Path(path), policy)], policy)
    with engine.connect() as connection:
        query = select(store.imports.c.id, store.imports.c.program_version)
        made_by = dict(connection.execute(query).all())
        query = select(store.imports.c.id, store.imports.c.time_zone)
        zones = dict(connection.execute(query).all())
    assert made_by == {1: None, 2: None, 3: None, 4: None, report.import_id: __version__}
    # schema 9: the zone the export's times were read in; imports from before imply none
    assert zones == {1: None, 2: None, 3: None, 4: None, report.import_id: "Europe/London"}
    engine.dispose()


def test_imports_from_before_the_upgrade_are_finished(v4_database):
    """Schema 8 logs an import as running before it writes (a killed one shows as
    interrupted): only finished imports left a line before, and they read as finished."""
    engine = store.open_database(v4_database)
    with engine.connect() as connection:
        query = select(store.imports.c.status, store.imports.c.process)
        assert connection.execute(query).all() == [("finished", None)] * 4
    assert set(views.import_history(engine)["status"]) == {"finished"}
    engine.dispose()


def test_a_failed_upgrade_leaves_the_release_database_as_it_was(v4_database, release_rows):
    """Every revision and the stamp are one transaction: a failure half-way through revision 5
    (its column already added) leaves schema 4, every row, and no stamp."""

    def fail_after_the_new_column(_conn, _cursor, statement, *_args):
        if "add column program_version" in statement.lower():
            raise RuntimeError("the disk is full")

    event.listen(Engine, "after_cursor_execute", fail_after_the_new_column)
    try:
        with pytest.raises(store.DatabaseError, match=r"cannot use the database .*disk is full"):
            store.open_database(v4_database)
    finally:
        event.remove(Engine, "after_cursor_execute", fail_after_the_new_column)
    engine = store.make_engine(v4_database)
    assert stored_revision(engine) == (None, "4")
    assert "program_version" not in {c["name"] for c in inspect(engine).get_columns("imports")}
    assert rows_of_schema_4(engine) == release_rows
    engine.dispose()
    store.open_database(v4_database).dispose()  # and the next open upgrades it


def test_the_baseline_builds_exactly_the_schema_the_release_built(tmp_path):
    """SQLite keeps each table's CREATE statement: the baseline's must be the release's."""
    engine = store.make_engine(f"sqlite:///{tmp_path / 'baseline.sqlite'}")
    with store.writing(engine) as connection:
        migrations.upgrade(connection, None, to=BASELINE)
    released = store.make_engine(f"sqlite:///{shutil.copy(FIXTURE, tmp_path / 'release.sqlite')}")
    schema = "select type, name, sql from sqlite_master where name not like '%alembic%' order by 2"
    with engine.connect() as ours, released.connect() as theirs:
        assert ours.exec_driver_sql(schema).all() == theirs.exec_driver_sql(schema).all()
    engine.dispose()
    released.dispose()


# -- new databases, current ones, newer ones -----------------------------------------------------


def test_a_new_database_gets_every_revision(engine):
    assert stored_revision(engine) == (store.HEAD_REVISION, str(store.SCHEMA_VERSION))
    assert migrations.head() == store.HEAD_REVISION  # the constant the quick path compares with


def test_the_tables_the_migrations_build_are_the_tables_the_program_declares(engine):
    """store.py and the revisions cannot drift apart: a column added to one and not the
    other shows here."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, store.metadata) == []


def test_opening_a_current_database_writes_nothing_and_loads_no_alembic(engine, database_url):
    again = store.make_engine(database_url)
    assert writes_during(again, lambda: store.upgrade_schema(again)) == []
    again.dispose()
    opened = subprocess.run(
        [sys.executable, "-c", "import sys; from dashboard.store import open_database; "
         f"open_database({database_url!r}).dispose(); print('alembic' in sys.modules)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert opened.stdout.strip() == "False"


def test_a_database_from_a_newer_release_is_refused_untouched(engine, database_url):
    with engine.begin() as connection:
        connection.execute(text("update alembic_version set version_num = '0099'"))
    with pytest.raises(store.DatabaseError) as caught:
        store.open_database(database_url)
    message = str(caught.value)
    assert "is at schema revision 0099" in message
    assert "a newer sla-dashboard wrote it" in message
    assert store._redact(database_url) in message
    assert stored_revision(engine) == ("0099", str(store.SCHEMA_VERSION))


# -- reads never write -------------------------------------------------------------------------


def test_reads_write_nothing(v4_database):
    engine = store.open_database(v4_database)

    def read_every_way():
        views.overview(engine, load_policy(), VIEW)
        views.filter_options(engine)
        export_canonical(engine)

    assert writes_during(engine, read_every_way) == []
    engine.dispose()


def test_a_read_of_a_database_never_opened_names_it_and_creates_nothing(database_url):
    engine = store.make_engine(database_url)
    with pytest.raises(store.DatabaseError, match="has no sla-dashboard tables") as caught:
        queries.run(engine, "filter_options")
    assert store._redact(database_url) in str(caught.value)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_reader_account_is_told_the_upgrade_is_pending_and_who_can_do_it(v4_database):
    """A read-only role could read the release's database; it cannot upgrade it, and is told
    so (not "permission denied for schema"), with the database left as it was."""
    import uuid

    schema = v4_database.rsplit("%3D", 1)[1]
    role = f"reader_{uuid.uuid4().hex[:8]}"
    read_all = f'grant select on all tables in schema "{schema}" to "{role}"'
    owner = store.make_engine(v4_database)
    with owner.begin() as connection:
        connection.exec_driver_sql(f'create role "{role}" login')
        connection.exec_driver_sql(f'grant usage on schema "{schema}" to "{role}"')
        connection.exec_driver_sql(read_all)
    as_reader = v4_database.replace("://postgres@", f"://{role}@")
    try:
        with pytest.raises(store.DatabaseError) as refused:
            store.open_database(as_reader)
        assert f"needs its schema upgraded from revision 0004 to {store.HEAD_REVISION}" in str(
            refused.value
        )
        assert "as the owner of its tables" in str(refused.value)
        assert stored_revision(v4_database) == (None, "4")
        store.open_database(v4_database).dispose()  # the owner can, and then the reader reads
        with owner.begin() as connection:
            connection.exec_driver_sql(read_all)  # the tables the upgrade made too
        reader = store.open_database(as_reader)
        assert views.filter_options(reader).customers
        reader.dispose()
    finally:
        with owner.begin() as connection:
            connection.exec_driver_sql(f'drop owned by "{role}"')
            connection.exec_driver_sql(f'drop role "{role}"')
        owner.dispose()


def _time_lists(engine: Engine) -> Counter:
    """Every list of time_lists unpacked: (key, kind, time) as a multiset."""
    with engine.connect() as connection:
        return Counter(
            (*row[:8], kind, t)
            for row in connection.execute(select(store.time_lists))
            for kind, blob in (("response", row[8]), ("resolution", row[9]))
            for t in time_lists_module.unpack([blob]).tolist()
        )


def test_schema_11_fills_the_time_lists_as_the_program_refreshes_them(v4_database):
    engine = store.open_database(v4_database)
    upgraded = _time_lists(engine)
    assert sum(1 for k in upgraded.elements() if k[8] == "response") > 1000
    with engine.begin() as connection:
        time_lists_module.refresh_time_lists(connection)
    assert _time_lists(engine) == upgraded
    recompute_stored(engine, load_policy(), everything=True)  # adds resolution times
    assert sum(1 for k in _time_lists(engine).elements() if k[8] == "resolution") > 1000
    engine.dispose()


def _schema_12_tables(engine: Engine) -> tuple[Counter, ...]:
    """Schema 12's tables as multisets: the counts' and disagreements' rows, and each list's
    times under its key (the order of a month's times is no part of what a list says)."""
    with engine.connect() as connection:
        counted = [
            Counter(tuple(row) for row in connection.execute(select(table)))
            for table in (
                store.case_counts_by_month,
                store.verdict_counts_by_month,
                store.verdict_disagreements,
            )
        ]
        lists = Counter(
            (*row[:6], kind, t)
            for row in connection.execute(select(store.time_lists_by_month))
            for kind, blob in (("response", row[6]), ("resolution", row[7]))
            for t in time_lists_module.unpack([blob]).tolist()
        )
    return *counted, lists


def test_schema_12_fills_its_tables_as_the_program_refreshes_them(v4_database):
    engine = store.open_database(v4_database)
    recompute_stored(engine, load_policy(), everything=True)  # resolution times too
    refreshed = _schema_12_tables(engine)
    assert sum(1 for k in refreshed[-1].elements() if k[6] == "resolution") > 1000
    assert refreshed[2], "no case whose verdicts disagree: nothing to compare"
    with engine.begin() as connection:  # back to schema 11, its daily summaries kept
        for table in (store.case_counts_by_month, store.verdict_counts_by_month,
                      store.time_lists_by_month, store.verdict_disagreements):  # fmt: skip
            table.drop(connection)
        connection.execute(text("drop index ix_cases_open"))  # schema 13's, built again
        connection.execute(text("update alembic_version set version_num = '0011'"))
        connection.execute(text("update settings set value = '11' where key = 'schema_version'"))
    engine.dispose()
    engine = store.open_database(v4_database)  # the upgrade to 12 fills them
    assert _schema_12_tables(engine) == refreshed
    engine.dispose()


def test_schema_13_keeps_only_breached_and_unanswered_cases_in_their_index(v4_database):
    engine = store.open_database(v4_database)
    recompute_stored(engine, load_policy(), everything=True)
    with engine.connect() as connection:
        statuses = Counter(connection.execute(select(store.cases.c.response_status)).scalars())
        if engine.dialect.name == "sqlite":
            definition = connection.execute(text(
                "select sql from sqlite_master where name = 'ix_cases_unanswered'"
            )).scalar_one()  # fmt: skip
            held = connection.execute(text(
                "select count(*) from cases indexed by ix_cases_unanswered "
                "where response_status is null or response_status = 'breached'"
            )).scalar_one()  # fmt: skip
        else:
            definition = connection.execute(text(
                "select indexdef from pg_indexes where indexname = 'ix_cases_unanswered' "
                "and schemaname = current_schema()"
            )).scalar_one()  # fmt: skip
            held = statuses[None] + statuses["breached"]
    engine.dispose()
    assert statuses["met"], "no met case to leave out"
    assert statuses["breached"], "no breached case to keep"
    assert "WHERE" in definition.upper()
    assert "'breached'" in definition
    assert held == statuses[None] + statuses["breached"]
