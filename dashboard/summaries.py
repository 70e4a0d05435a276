"""The summary tables that period queries read instead of cases: the counts (case_counts,
case_moves, verdict_counts) and every case's times in lists (time_lists).

Rebuilt whole, inside the transaction that changed the cases (an import or a recompute), from
the SQL in queries/refresh_*.sql: they can never disagree with the cases they count.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete

from dashboard import queries
from dashboard.store import case_counts, case_moves, verdict_counts
from dashboard.time_lists import refresh_time_lists


def refresh_summaries(connection: Connection) -> None:
    connection.execute(delete(case_counts))
    connection.execute(delete(case_moves))
    connection.execute(delete(verdict_counts))
    queries.execute(connection, "refresh_case_counts")
    queries.execute(connection, "refresh_case_moves")
    queries.execute(connection, "refresh_verdict_counts")
    refresh_time_lists(connection)
