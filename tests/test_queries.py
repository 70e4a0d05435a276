"""dashboard/queries.py: running the SQL files, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import numpy as np

from dashboard import queries
from dashboard.queries import Filters
from tests import analytics_fixture as fixture

EARLY = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # every resolved case was resolved after it


def test_integers_read_in_several_batches_are_every_row_in_order(db, monkeypatch):
    # On PostgreSQL run_integers reads FETCH_ROWS rows per driver call: a batch boundary must
    # neither drop nor repeat a row, whether the last batch is full or short (SQLite iterates
    # the cursor, whatever FETCH_ROWS says).
    filters = Filters(*fixture.PERIOD)
    expected = queries.run(db, "resolved_after", filters=filters, as_of=EARLY)
    assert len(expected) > 7  # several batches of 3 and of 7 below, the last one short
    for batch in (1, 3, 7, len(expected), len(expected) + 1):
        monkeypatch.setattr(queries, "FETCH_ROWS", batch)
        got = queries.run_integers(db, "resolved_after", filters=filters, as_of=EARLY)
        for column in ("severity", "resolution_business_seconds"):
            assert got[column].dtype == np.int64
            assert got[column].tolist() == expected[column].astype(int).tolist(), batch


def test_integers_of_no_rows_are_empty_columns(db):
    got = queries.run_integers(db, "resolved_after", filters=Filters(customers=("nobody",)),
                               as_of=EARLY)  # fmt: skip
    assert {k: v.tolist() for k, v in got.items()} == {
        "severity": [],
        "resolution_business_seconds": [],
    }
