"""The summary tables that period queries read instead of cases: the counts (case_counts,
case_moves, verdict_counts), every case's times in lists (time_lists), and the same by month
for the whole months of a period (case_counts_by_month, verdict_counts_by_month,
time_lists_by_month), and the cases whose verdicts disagree with the helpdesk's
(verdict_disagreements).

Rebuilt whole, inside the transaction that changed the cases (an import or a recompute), from
the SQL in queries/refresh_*.sql: they can never disagree with the cases they count. An
import into an empty database holds every case it stores: its summaries are counted from it
in memory instead (dashboard/summaries_from_memory.py, held equal to the SQL by its tests).
"""

from __future__ import annotations

from concurrent.futures import Future

from sqlalchemy import Connection, delete

from dashboard import queries, summaries_from_memory
from dashboard.store import SUMMARIES, sorting_on_two_cores
from dashboard.summaries_from_memory import Counted
from dashboard.time_lists import refresh_time_lists


def refresh_summaries(connection: Connection, counted: Future[Counted] | None = None) -> None:
    """Every summary table rebuilt from the stored cases. `counted`: the import that wrote
    them into an empty database holds them all and has counted every summary in memory
    (dashboard/summaries_from_memory.py), where SQL would sort every case."""
    if counted is not None:
        for table in SUMMARIES:
            connection.execute(delete(table))
        summaries_from_memory.write(connection, counted.result())
        return
    with sorting_on_two_cores(connection):  # their GROUP BYs sort every case
        for table in SUMMARIES:
            connection.execute(delete(table))
        for name in ("case_counts", "case_moves", "verdict_counts"):
            queries.execute(connection, f"refresh_{name}")
        # the monthly tables are summed from the daily ones: those first
        for name in ("case_counts_by_month", "verdict_counts_by_month",
                     "verdict_disagreements"):  # fmt: skip
            queries.execute(connection, f"refresh_{name}")
        refresh_time_lists(connection)
