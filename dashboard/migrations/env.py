"""Alembic's entry point: runs the revisions on the connection `migrations.upgrade` hands over.

That connection is inside `store.writing`'s transaction (Alembic sees it and opens none of its
own), so every revision of one upgrade, and the stamp, commit together or not at all.
"""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations through dashboard.store.open_database")
# Batch mode: SQLite's ALTER TABLE cannot alter or drop a column, so Alembic rebuilds the
# table instead; the same script then runs on SQLite and PostgreSQL.
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
