"""Schema upgrades in place: Alembic revisions under versions/, one file per schema version.

`store.open_database` runs them on the connection of `store.writing`, so an upgrade commits
whole or not at all and writers take turns. This module imports Alembic, so the store imports
it only when a database is not yet at the current schema: opening a current one never loads
the script machinery. No alembic.ini: users never run Alembic themselves.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

SCRIPTS_DIR = Path(__file__).resolve().parent


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection  # env.py migrates on this connection
    return config


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    return scripts().get_current_head()


def known(revision: str) -> bool:
    return revision in {script.revision for script in scripts().walk_revisions()}


def upgrade(connection: Connection, found: str | None, *, to: str = "head") -> None:
    """Run every revision after `found` (None: an empty database) on the connection.

    A database written before migrations has no Alembic stamp but is at the revision found
    from its settings: it is stamped there first, in the same transaction.
    """
    config = _config(connection)
    if found is not None and MigrationContext.configure(connection).get_current_revision() is None:
        command.stamp(config, found)
    command.upgrade(config, to)
