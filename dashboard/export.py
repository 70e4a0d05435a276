"""Stored cases -> our canonical CSV (what `sla-dashboard export` writes).

The export carries every imported field, so importing it again (same source) changes nothing.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.store import cases

CANONICAL_COLUMNS = (
    "case_id", "customer", "plan", "severity", "created_at", "first_response_at", "resolved_at",
    "status", "channel", "component", "subject", "dismissal_reason", "vendor_response_minutes",
    "vendor_response_business_minutes", "vendor_sla", "response_recorded",
)  # fmt: skip


def export_canonical(engine: Engine, *, source: str | None = None) -> pd.DataFrame:
    query = select(cases).order_by(cases.c.source, cases.c.created_at, cases.c.case_id)
    if source is not None:
        query = query.where(cases.c.source == source)
    with engine.connect() as connection:
        rows = pd.DataFrame(connection.execute(query).mappings().all())
    if rows.empty:
        return pd.DataFrame(columns=list(CANONICAL_COLUMNS))
    out = pd.DataFrame({c: rows[c] for c in CANONICAL_COLUMNS if c in rows})
    for column in ("created_at", "first_response_at", "resolved_at"):
        out[column] = rows[column].map(_iso)
    out["severity"] = rows["severity"].astype(int)
    out["response_recorded"] = rows["response_recorded"].map(lambda v: "true" if v else "false")
    for column in ("vendor_response_minutes", "vendor_response_business_minutes"):
        out[column] = rows[column].map(lambda v: "" if v is None or v != v else repr(float(v)))
    return out.fillna("")


def _iso(value) -> str:
    if value is None or value is pd.NaT:
        return ""
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
