"""The summary tables that period queries read instead of cases: the counts (case_counts,
case_moves, verdict_counts), every case's times in lists (time_lists), and the same by month
for the whole months of a period (case_counts_by_month, verdict_counts_by_month,
time_lists_by_month), and the cases whose verdicts disagree with the helpdesk's
(verdict_disagreements).

Rebuilt whole, inside the transaction that changed the cases (an import or a recompute), from
the SQL in queries/refresh_*.sql: they can never disagree with the cases they count.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete

from dashboard import queries
from dashboard.store import SUMMARIES, sorting_on_two_cores
from dashboard.time_lists import refresh_time_lists


def refresh_summaries(connection: Connection) -> None:
    with sorting_on_two_cores(connection):  # their GROUP BYs sort every case
        for table in SUMMARIES:
            connection.execute(delete(table))
        # the monthly tables are summed from the daily ones: those first
        for name in ("case_counts", "case_moves", "verdict_counts", "case_counts_by_month",
                     "verdict_counts_by_month", "verdict_disagreements"):  # fmt: skip
            queries.execute(connection, f"refresh_{name}")
        refresh_time_lists(connection)
