"""The store: engines, instants in UTC, the session settings, and opening a database (created
once, refused untouched when too old; upgrades in place: tests/test_migrations.py)."""

import contextlib
import datetime as dt
import sqlite3

import pytest
from sqlalchemy import Column, MetaData, Table, inspect, select
from sqlalchemy.exc import OperationalError, StatementError

from dashboard import store
from dashboard.store import (
    SCHEMA_VERSION,
    DatabaseError,
    StatisticsWarning,
    UtcDateTime,
    database_url,
    make_engine,
    metadata,
    refresh_statistics,
    settings,
    sorting_on_two_cores,
    upgrade_schema,
    writing,
)


def test_creating_the_schema_twice_changes_nothing(engine):
    upgrade_schema(engine)  # the fixture opened it once already
    with engine.connect() as connection:
        versions = connection.execute(select(settings.c.value)).scalars().all()
        assert versions == [str(SCHEMA_VERSION)]
        assert set(metadata.tables) <= set(inspect(connection).get_table_names())


def test_a_schema_from_before_the_baseline_is_refused_before_anything_is_created(database_url):
    """Versions 1-3 never left development: no upgrade starts there (schema 4 and later are
    upgraded in place, tests/test_migrations.py)."""
    engine = make_engine(database_url)
    settings.create(engine)
    with engine.begin() as connection:
        connection.execute(settings.insert().values(key="schema_version", value="1"))
    refused = r"has schema version 1, which this program cannot upgrade.*move the database aside"
    with pytest.raises(DatabaseError, match=refused):
        upgrade_schema(engine)
    assert inspect(engine).get_table_names() == ["settings"]
    engine.dispose()


def _instants_table(engine) -> Table:
    table = Table("instants", MetaData(), Column("at", UtcDateTime))
    table.create(engine)
    return table


def test_instants_come_back_in_utc_whatever_zone_went_in(engine):
    table = _instants_table(engine)
    paris = dt.timezone(dt.timedelta(hours=1))
    with engine.begin() as connection:
        connection.execute(
            table.insert().values(at=dt.datetime(2026, 3, 2, 10, 0, 59, tzinfo=paris))
        )
        stored = connection.execute(select(table.c.at)).scalar_one()
        later = connection.execute(
            select(table.c.at).where(table.c.at > dt.datetime(2026, 3, 2, 8, 59, tzinfo=dt.UTC))
        ).scalar_one_or_none()
    assert stored == dt.datetime(2026, 3, 2, 9, 0, 59, tzinfo=dt.UTC)
    assert stored.utcoffset() == dt.timedelta(0)
    assert later == stored  # compared as instants, not as text


def test_naive_datetimes_are_refused_rather_than_guessed(engine):
    table = _instants_table(engine)
    with pytest.raises(StatementError, match="naive datetime"), engine.begin() as connection:
        connection.execute(table.insert().values(at=dt.datetime(2026, 3, 2, 10)))


def test_urls_are_normalised_and_passwords_never_echoed(monkeypatch):
    monkeypatch.delenv("SLA_DATABASE_URL", raising=False)
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url().startswith("sqlite:///")
    assert database_url().endswith("sla_dashboard.sqlite")
    monkeypatch.setenv("SLA_DATABASE_URL", "sqlite:///x.sqlite")
    assert database_url() == "sqlite:///x.sqlite"
    with pytest.raises(DatabaseError) as caught:
        make_engine("mysql://user:hunter2@host/db")
    assert "hunter2" not in str(caught.value)
    assert "unsupported database 'mysql'" in str(caught.value)


def test_every_connection_gets_the_session_settings_we_rely_on(engine):
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            assert connection.exec_driver_sql("show jit").scalar_one() == "off"
        else:
            pragma = connection.exec_driver_sql
            assert pragma("pragma journal_mode").scalar_one() == "wal"
            assert pragma("pragma busy_timeout").scalar_one() == 30000
            assert pragma("pragma foreign_keys").scalar_one() == 1


def test_a_new_sqlite_database_gets_large_pages_and_an_existing_one_keeps_its_own(tmp_path):
    """16 KiB pages for a file we create; a file created elsewhere with SQLite's 4 KiB keeps
    them (a page size is fixed once a database is in WAL) and is used as it is."""
    fresh = make_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    upgrade_schema(fresh)
    old_path = tmp_path / "old.sqlite"
    with contextlib.closing(sqlite3.connect(old_path)) as old:  # as made before 16 KiB pages
        old.execute("pragma page_size = 4096")
        assert old.execute("pragma journal_mode = wal").fetchone()[0] == "wal"
    existing = make_engine(f"sqlite:///{old_path}")
    upgrade_schema(existing)
    try:
        for engine, size in ((fresh, store.PAGE_SIZE), (existing, 4096)):
            with engine.connect() as connection:
                pragma = connection.exec_driver_sql
                assert pragma("pragma page_size").scalar_one() == size
                assert pragma("pragma journal_mode").scalar_one() == "wal"
                assert pragma("select count(*) from cases").scalar_one() == 0
    finally:
        fresh.dispose()
        existing.dispose()
    assert store.PAGE_SIZE == 16_384


def test_large_sorts_are_cut_into_runs_for_a_second_core_then_the_cache_is_restored(
    engine, monkeypatch
):
    """SQLite sorts in memory up to the page cache's size, on one core: inside the block the
    cache is the sorter's run size when the database is larger than the cache; after it (an
    error or not) the writer's cache again. A database the cache holds keeps its cache."""

    def cache(connection):
        return connection.exec_driver_sql("pragma cache_size").scalar_one()

    with writing(engine) as connection:
        if engine.dialect.name == "postgresql":  # plans its own parallel sorts: nothing to set
            with sorting_on_two_cores(connection):
                assert connection.exec_driver_sql("select 1").scalar_one() == 1
            return
        assert cache(connection) == -store.WRITER_CACHE_KIB
        assert connection.exec_driver_sql("pragma threads").scalar_one() == 2
        with sorting_on_two_cores(connection):  # the new schema: a few hundred KB
            assert cache(connection) == -store.WRITER_CACHE_KIB
        # a cache smaller than the database (its tables and indexes: over 64 KB)
        connection.exec_driver_sql("pragma cache_size=-64")
        monkeypatch.setattr(store, "SORT_RUN_KIB", 16)
        with sorting_on_two_cores(connection):
            assert cache(connection) == -16
        assert cache(connection) == -64
        with pytest.raises(ZeroDivisionError), sorting_on_two_cores(connection):
            1 / 0  # noqa: B018
        assert cache(connection) == -64
        monkeypatch.setattr(store, "SORT_RUN_KIB", 64)  # runs no smaller than the cache
        with sorting_on_two_cores(connection):
            assert cache(connection) == -64


def test_statistics_that_cannot_be_refreshed_are_a_warning_not_an_error(engine, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise OperationalError("VACUUM", {}, Exception("canceling statement due to lock timeout"))

    monkeypatch.setattr(engine, "connect", refuse)
    with pytest.warns(StatisticsWarning, match="the data is saved, but planner statistics"):
        refresh_statistics(engine)


def test_a_new_sqlite_file_locked_for_a_moment_is_tried_again(tmp_path, monkeypatch):
    """Two processes opening a new SQLite file at once: a moment of 'database is locked' is
    waited out, as the busy timeout waits for a writer."""
    import sqlalchemy

    from dashboard import store

    engine = store.make_engine(f"sqlite:///{tmp_path / 'new.sqlite'}")
    real, calls = store._upgrade_schema, []

    def busy_twice(engine_):
        calls.append(1)
        if len(calls) <= 2:
            raise sqlalchemy.exc.OperationalError("BEGIN", {}, Exception("database is locked"))
        real(engine_)

    monkeypatch.setattr(store, "_upgrade_schema", busy_twice)
    monkeypatch.setattr(store, "_LOCKED_PAUSE", 0.01)
    store.upgrade_schema(engine)
    assert len(calls) == 3
    monkeypatch.setattr(store, "_LOCKED_RETRIES", 1)
    calls.clear()
    with pytest.raises(store.DatabaseError, match=r"cannot use the database .*database is locked"):
        store.upgrade_schema(engine)
    engine.dispose()
