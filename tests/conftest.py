"""Shared fixtures: a fresh database on each backend the product supports, and the same
holding the hand-computed cases of tests/analytics_fixture.py.

Every database test runs twice: on SQLite (a file, the embedded default) and on PostgreSQL
(the team deployment). PostgreSQL is reached at $SLA_TEST_POSTGRES_URL (default: the local
server CI starts, postgres@127.0.0.1:5432/test); each test gets its own schema, dropped after.
If the server is down the PostgreSQL tests fail with how to start it: they never skip in CI.
Set SLA_TEST_POSTGRES=skip on a machine without PostgreSQL to skip them explicitly.

Formats saved by any test (the Import page's, new_format.save_format) go to a folder of the
test's own ($SLA_FORMATS_DIR), never to the real user's ~/.local/share/sla-dashboard/formats.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy

from dashboard.store import open_database
from tests import analytics_fixture

POSTGRES_URL = os.environ.get(
    "SLA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session", autouse=True)
def _no_real_user_formats(tmp_path_factory):
    """Before any fixture of a wider scope than a test (a server started once per module):
    the whole run's formats folder is a temporary one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLA_FORMATS_DIR", str(tmp_path_factory.mktemp("session_formats")))
        yield


@pytest.fixture(autouse=True)
def user_formats_dir(tmp_path_factory, monkeypatch):
    """This test's user formats folder: empty, outside tmp_path (which tests list), and what
    dashboard.importer.formats.user_formats_dir() returns during the test."""
    folder = tmp_path_factory.mktemp("user_formats")
    monkeypatch.setenv("SLA_FORMATS_DIR", str(folder))
    return folder


# The PostgreSQL run of every database test is the slow half of the suite (a schema made and
# dropped per test, over the network): `pytest -m "not slow"` checks on SQLite, CI on both.
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.sqlite'}"
        return
    if os.environ.get("SLA_TEST_POSTGRES") == "skip":
        pytest.skip("SLA_TEST_POSTGRES=skip: PostgreSQL tests skipped on request")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'create schema "{schema}"')
    except sqlalchemy.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc.orig}); start it with "
            "`pg_ctlcluster --skip-systemctl-redirect 15 main start` or set "
            "SLA_TEST_POSTGRES=skip",
            pytrace=False,
        )
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'drop schema "{schema}" cascade')
        admin.dispose()


@pytest.fixture
def engine(database_url):
    """The database opened as the program opens it: at the current schema."""
    engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine, tmp_path):
    """The hand-computed cases of tests/analytics_fixture.py, imported under the vendor policy,
    on each backend. A module that needs more (other rows, the URL, settings) overrides `db`
    beside its tests, saying what it adds."""
    return analytics_fixture.import_into(engine, tmp_path)
