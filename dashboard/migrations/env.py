"""Alembic's entry point: runs the revisions on the connection `migrations.upgrade` hands over.

That connection is inside `store.writing`'s transaction (Alembic sees it and opens none of its
own), so every revision of one upgrade, and the stamp, commit together or not at all.
"""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations through dashboard.store.open_database")
# Batch operations (what autogenerate drafts with render_as_batch): SQLite's ALTER TABLE cannot
# alter or drop a column, so there Alembic rebuilds the table; on PostgreSQL they are plain
# ALTERs. One script for both. Caveat: on SQLite a table others refer to by foreign key
# (imports, from import_rejects) cannot be rebuilt in this transaction while foreign keys are
# enforced (tried: the commit fails even with defer_foreign_keys); a revision that needs it
# must first have the upgrade run with foreign_keys off and a foreign_key_check before commit.
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
