"""The counts tables (case_counts, case_moves) that period queries read instead of cases.

Rebuilt whole, inside the transaction that changed the cases (an import or a recompute), from
the SQL in queries/refresh_*.sql: they can never disagree with the cases they count.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete

from dashboard import queries
from dashboard.store import case_counts, case_moves


def refresh_summaries(connection: Connection) -> None:
    connection.execute(delete(case_counts))
    connection.execute(delete(case_moves))
    queries.execute(connection, "refresh_case_counts")
    queries.execute(connection, "refresh_case_moves")
