"""The activity log: who re-scored the stored cases and who saved a format (imports record
their user themselves). Written in the transaction of the change it records, so a change that
failed leaves no line and a line always has its change."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Engine, insert

from dashboard import queries
from dashboard.queries import Filters
from dashboard.store import activity, writing

ACTIONS = ("recompute", "save_format", "remove_source", "remove_import")


def record(connection: Connection, user: str, action: str, detail: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown activity {action!r}")
    connection.execute(
        insert(activity).values(at=dt.datetime.now(dt.UTC), user_name=user, action=action,
                                detail=detail)
    )  # fmt: skip


def log(engine: Engine, user: str, action: str, detail: str) -> None:
    """Record a change made outside the database (a format file saved), in its own
    transaction."""
    with writing(engine) as connection:
        record(connection, user, action, detail)


def recent(engine: Engine, scope: tuple[str, ...] | None = None, limit: int = 200) -> pd.DataFrame:
    """The latest changes, newest first; empty for a person who does not see every customer
    (a re-score spans customers)."""
    return queries.run(engine, "activity_log", filters=Filters(scope=scope), limit=limit)
