"""Data sources: what each source holds (cases, their span, its imports and formats), and
removing a whole source in one transaction.

A source is where cases come from (an export's helpdesk); case ids are unique within it
(dashboard/overlap.py keeps one case from being stored under two). Removing a source deletes
its cases, their event histories and its rejected rows, refreshes the summaries, and records
who did it; the import log keeps its lines, since those imports did happen.

Removing one import deletes the cases it brought in and its rejected rows, and marks its line
"removed". It is refused where it cannot be undone exactly: an import that is not the last of
its source (a later one may hold the same cases unchanged, and an unchanged case keeps the
import that last changed it), one that updated cases an earlier import had stored (their
earlier values are not kept), or one that stored case-history events (its cases are derived
from every import's events). Removing the source and importing its other exports again does
it then. Removing a source marks its imports "removed" too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, func, select

from dashboard import activity, queries
from dashboard.errors import DashboardError
from dashboard.import_log import FINISHED
from dashboard.queries import Filters
from dashboard.store import case_events, cases, import_rejects, imports, writing
from dashboard.summaries import refresh_summaries

REMOVED = "removed"  # an import's status once removed (imports.status)
COLUMNS = ["source", "cases", "unscored", "first_day", "last_day", "imports", "last_import_at",
           "last_file", "last_user", "formats"]  # fmt: skip


@dataclass(frozen=True)
class Removed:
    source: str
    cases: int
    events: int
    rejects: int

    def message(self) -> str:
        return (
            f"removed the source {self.source!r}: {self.cases:,} case(s), {self.events:,} "
            f"event(s) of their histories and {self.rejects:,} rejected row(s); the import log "
            "keeps its lines, marked removed"
        )


def sources(engine: Engine, scope: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row a source: the cases the person may see, and (for a person who sees every
    customer) its imports: how many, the last one's time, file and user, the formats read."""
    held = queries.run(engine, "sources", filters=Filters(scope=scope))
    logged = queries.run(engine, "source_imports", filters=Filters(scope=scope))
    if logged.empty:
        per_source = pd.DataFrame(columns=COLUMNS[5:]).rename_axis("source")
    else:
        grouped = logged.groupby("source", sort=True)
        last = logged.loc[grouped["id"].idxmax()].set_index("source")
        per_source = pd.DataFrame(
            {
                "imports": grouped.size(),
                "last_import_at": last["finished_at"],
                "last_file": last["file_name"],
                "last_user": last["user_name"],
                "formats": grouped["format"].agg(lambda f: ", ".join(sorted(set(f)))),
            }
        )
    table = held.set_index("source").join(per_source, how="left")
    return table.reset_index()[COLUMNS]


def remove_source(engine: Engine, source: str, user: str) -> Removed:
    """Delete every case of `source` (and its histories and rejected rows) in one
    transaction, refresh the summaries and record it; a source with no case is refused."""
    with writing(engine) as connection:
        count = connection.execute(
            select(func.count()).select_from(cases).where(cases.c.source == source)
        ).scalar_one()
        if not count:
            known = connection.execute(select(cases.c.source).distinct()).scalars().all()
            raise DashboardError(
                f"no stored case has the source {source!r} (sources: "
                f"{', '.join(map(repr, sorted(known))) or 'none'})"
            )
        events = connection.execute(
            delete(case_events).where(case_events.c.source == source)
        ).rowcount
        of_source = select(imports.c.id).where(imports.c.source == source)
        rejects = connection.execute(
            delete(import_rejects).where(import_rejects.c.import_id.in_(of_source))
        ).rowcount
        connection.execute(delete(cases).where(cases.c.source == source))
        connection.execute(  # its imports no longer stand for anything stored
            imports.update()
            .where(imports.c.source == source, imports.c.status == FINISHED)
            .values(status=REMOVED)
        )
        refresh_summaries(connection)
        removed = Removed(source, int(count), int(events), int(rejects))
        activity.record(connection, user, "remove_source", removed.message())
    return removed


@dataclass(frozen=True)
class ImportRemoved:
    import_id: int
    file: str
    source: str
    cases: int  # deleted: brought in by this import (the last of its source)
    rejects: int

    def message(self) -> str:
        return (
            f"removed import {self.import_id} ({self.file}, source {self.source!r}): "
            f"{self.cases:,} case(s) and {self.rejects:,} rejected row(s)"
        )


def remove_import(engine: Engine, import_id: int, user: str) -> ImportRemoved:
    """Delete what one import brought in, in one transaction, where that can be undone
    exactly (see the module's docstring); refused in words otherwise, nothing changed."""
    with writing(engine) as connection:
        row = connection.execute(
            select(imports.c.file_name, imports.c.source, imports.c.status).where(
                imports.c.id == import_id
            )
        ).first()
        if row is None or row.status != FINISHED:
            state = "no such import" if row is None else f"its status is {row.status!r}"
            raise DashboardError(f"import {import_id} cannot be removed: {state}")
        # A later import of the source may hold the same cases unchanged (an unchanged case
        # keeps the import that last changed it): removing this one would take them away.
        later = connection.execute(
            select(func.min(imports.c.id)).where(
                imports.c.source == row.source, imports.c.status == FINISHED,
                imports.c.id > import_id,
            )
        ).scalar_one()  # fmt: skip
        if later is not None:
            raise DashboardError(
                f"import {import_id} ({row.file_name}) is not the last import of the source "
                f"{row.source!r}: import {later} came after it and may hold the same cases. "
                "Remove the later imports first, or remove the source and import its exports "
                "again"
            )
        events = connection.execute(
            select(func.count())
            .select_from(case_events)
            .where(case_events.c.import_id == import_id)
        ).scalar_one()
        if events:
            raise DashboardError(
                f"import {import_id} ({row.file_name}) stored {events:,} event(s) of case "
                "histories, and its cases are derived from every import's events: remove the "
                f"source {row.source!r} and import its other exports again instead"
            )
        mine = cases.c.last_import_id == import_id
        updated = connection.execute(
            select(func.count()).select_from(cases).where(mine, cases.c.first_import_id
                                                          != import_id)
        ).scalar_one()  # fmt: skip
        if updated:
            raise DashboardError(
                f"import {import_id} ({row.file_name}) updated {updated:,} case(s) an earlier "
                "import had stored; their earlier values are not kept, so removing it cannot "
                f"bring them back: remove the source {row.source!r} and import its other "
                "exports again instead"
            )
        # The last import, which updated nothing: every case naming it was brought in by it
        deleted = connection.execute(delete(cases).where(mine)).rowcount
        rejects = connection.execute(
            delete(import_rejects).where(import_rejects.c.import_id == import_id)
        ).rowcount
        connection.execute(imports.update().where(imports.c.id == import_id).values(status=REMOVED))
        refresh_summaries(connection)
        removed = ImportRemoved(import_id, row.file_name, row.source, int(deleted), int(rejects))
        activity.record(connection, user, "remove_import", removed.message())
    return removed


def said(message: str) -> str:
    """A removal's message as a sentence on a page."""
    return message[:1].upper() + message[1:] + "."
