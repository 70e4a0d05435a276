"""One source of truth: the same case ids imported under two sources would count each case
twice (the bundled sample loaded as `sample` by `make run`, then imported again as
`canonical`). An import whose case ids are already stored under another source, or that
brings them under two sources at once, is refused unless the person asks to keep both.

Case ids are unique per source by design (two helpdesks may both have a ticket 1001); what is
refused is the silent double count, not the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, select

from dashboard.errors import DashboardError
from dashboard.store import cases

EXAMPLES = 3  # case ids quoted in a message


class OverlapError(DashboardError):
    """An import would store case ids already stored under another source."""


@dataclass(frozen=True)
class Overlap:
    """The case ids of one file (imported as `source`) found under other sources."""

    file: str
    source: str
    others: dict[str, int]  # other source -> how many of this file's case ids it holds
    examples: tuple[str, ...]
    cases: int  # this file's case ids held under any other source (each counted once)

    @property
    def first_other(self) -> str:
        return sorted(self.others)[0]

    def message(self, *, update: str = "--source {source}", keep: str = "give --keep-both") -> str:
        """In words, with the choices as the command line offers them (`update`, `keep`:
        how the page says them instead)."""
        where = ", ".join(f"{n:,} under {s!r}" for s, n in sorted(self.others.items()))
        return (
            f"{self.file}: {self.cases:,} of its case ids are already stored under another "
            f"source ({where}; e.g. {', '.join(self.examples)}): imported as {self.source!r} "
            "each would be counted twice. To update them, import under the same source "
            f"({update.format(source=self.first_other)}); to store both anyway, {keep}"
        )


def find_overlaps(
    connection: Connection | Engine, files: Sequence[tuple[str, str, pd.Series]]
) -> list[Overlap]:
    """For each (file name, source, case ids): the ids stored under other sources, or brought
    under another source by an earlier file of the same import."""
    if isinstance(connection, Engine):
        with connection.connect() as opened:
            return find_overlaps(opened, files)
    stored = _StoredIds(connection)
    found: list[Overlap] = []
    batch: dict[str, set[str]] = {}  # source -> case ids of the files before
    for number, (name, source, case_ids) in enumerate(files, start=1):
        earlier = [(s, pd.Index(list(v), dtype=object)) for s, v in batch.items() if s != source]
        candidates = [*stored.besides(source), *earlier]
        if not candidates and number == len(files):
            break  # nothing to compare with, no file after: a million ids need no set
        ids = pd.Index(case_ids.astype(object)).unique()
        others: dict[str, int] = {}
        examples: list[str] = []
        anywhere = pd.Index([], dtype=object)
        for other, held in candidates:
            shared = ids.intersection(held)
            if len(shared):
                others[other] = others.get(other, 0) + len(shared)
                anywhere = anywhere.union(shared)
                examples += [str(i) for i in sorted(shared)[:EXAMPLES] if str(i) not in examples]
        if others:
            found.append(Overlap(name, source, others, tuple(examples[:EXAMPLES]), len(anywhere)))
        batch.setdefault(source, set()).update(ids)
    return found


def refuse_overlaps(connection: Connection | Engine, files) -> None:
    overlaps = find_overlaps(connection, files)
    if overlaps:
        raise OverlapError("; ".join(o.message() for o in overlaps))


class _StoredIds:
    """The stored case ids of each source, read when first needed: re-importing into the one
    source a database holds reads none (a million-case import pays nothing)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._sources = connection.execute(select(cases.c.source).distinct()).scalars().all()
        self._ids: dict[str, pd.Index] = {}

    def besides(self, source: str) -> list[tuple[str, pd.Index]]:
        return [(other, self._of(other)) for other in sorted(self._sources) if other != source]

    def _of(self, source: str) -> pd.Index:
        if source not in self._ids:
            rows = self._connection.execute(select(cases.c.case_id).where(cases.c.source == source))
            self._ids[source] = pd.Index(rows.scalars().all(), dtype=object)
        return self._ids[source]
