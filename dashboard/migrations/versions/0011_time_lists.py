"""Schema 11: two kinds of summary for the pages of a long period (issue 16), created and
filled from the stored cases:

- every case's business response and resolution time, kept in lists per summary key (tables
  response_time_lists and resolution_time_lists, dashboard/time_lists.py), so that a
  period's exact percentiles read a few thousand lists instead of a million cases;
  ix_cases_resolution takes the source right after the plan, so that the resolution lists
  group in its order;
- our verdicts beside the helpdesk's, counted (verdict_counts), for the Reconciliation page.

The refresh is frozen here as it was at this revision: a later change to the program must
not change what this upgrade does.

Revision ID: 0011
Revises: 0010
"""

import itertools

import numpy as np
from alembic import op
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

RESPONSE_KEY = ["created_local_date", "severity", "customer", "channel", "plan",
                "dismissal_reason", "response_status", "source"]  # fmt: skip
RESOLUTION_KEY = ["created_local_date", "severity", "customer", "channel", "plan", "source"]
RESOLUTION_INDEX = [*RESOLUTION_KEY, "resolved_at", "resolution_business_seconds",
                    "event_count", "reopen_count"]  # fmt: skip


def _keys(key: list[str], seconds: str) -> str:
    columns = ", ".join(f"c.{k}" for k in key)
    return (f"select {columns}, count(*) from cases as c where c.{seconds} is not null "
            f"group by {columns} order by {columns}")  # fmt: skip


def _times(key: list[str], seconds: str) -> str:
    columns = ", ".join(f"c.{k}" for k in key)
    return f"select c.{seconds} from cases as c where c.{seconds} is not null order by {columns}"


def _table(metadata: MetaData, name: str, key: list[str]) -> Table:
    types = {"created_local_date": Date, "severity": SmallInteger, "dismissal_reason": String(40),
             "response_status": String(10)}  # fmt: skip
    required = ("created_local_date", "severity")
    columns = [
        Column("day" if k == "created_local_date" else k, types.get(k, Text),
               nullable=k not in required)
        for k in key
    ]  # fmt: skip
    return Table(name, metadata, *columns, Column("cases", Integer, nullable=False),
                 Column("seconds", LargeBinary, nullable=False),
                 Index(f"ix_{name}_day", "day"))  # fmt: skip


REFRESH_VERDICT_COUNTS = """
insert into verdict_counts (day, severity, customer, channel, plan, source, response_status,
                            helpdesk_verdict, helpdesk_basis, dismissed, response_recorded,
                            cases)
select
    c.created_local_date,
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    c.source,
    c.response_status,
    case
        when c.vendor_sla in ('met', 'breached') then c.vendor_sla
        when c.vendor_response_business_minutes is not null and c.target_seconds is not null
            then
                case
                    when c.vendor_response_business_minutes * 60 <= c.target_seconds then 'met'
                    else 'breached'
                end
    end,
    case
        when c.vendor_sla in ('met', 'breached') then 'stated'
        when c.vendor_response_business_minutes is not null and c.target_seconds is not null
            then 'business_figure'
        else ''
    end,
    case when c.dismissal_reason is null then 0 else 1 end,
    c.response_recorded,
    count(*)
from cases as c
where c.response_status is not null or not c.response_recorded
group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
"""


def upgrade() -> None:
    op.create_table(
        "verdict_counts",
        Column("day", Date, nullable=False),
        Column("severity", SmallInteger, nullable=False),
        Column("customer", Text),
        Column("channel", Text),
        Column("plan", Text),
        Column("source", Text),
        Column("response_status", String(10)),
        Column("helpdesk_verdict", String(10)),
        Column("helpdesk_basis", String(20), nullable=False),
        Column("dismissed", SmallInteger, nullable=False),
        Column("response_recorded", Boolean, nullable=False),
        Column("cases", Integer, nullable=False),
    )
    op.create_index("ix_verdict_counts_day", "verdict_counts", ["day"])
    op.execute(REFRESH_VERDICT_COUNTS)
    op.drop_index("ix_cases_resolution", table_name="cases")
    op.create_index("ix_cases_resolution", "cases", RESOLUTION_INDEX)
    bind = op.get_bind()
    metadata = MetaData()
    for name, key, seconds in (
        ("response_time_lists", RESPONSE_KEY, "response_business_seconds"),
        ("resolution_time_lists", RESOLUTION_KEY, "resolution_business_seconds"),
    ):
        table = _table(metadata, name, key)
        table.create(bind)
        keys = bind.execute(text(_keys(key, seconds))).all()
        times = np.fromiter(
            itertools.chain.from_iterable(bind.execute(text(_times(key, seconds)))), np.int64
        )
        counts = np.array([row[-1] for row in keys], dtype=np.int64)
        if int(counts.sum()) != times.size:
            raise RuntimeError(f"{name}: {times.size} times for {int(counts.sum())} cases")
        ends = np.cumsum(counts)
        starts = ends - counts
        rows = [
            {**dict(zip([c.name for c in table.c][: len(key)], row[:-1], strict=True)),
             "cases": row[-1], "seconds": times[start:end].astype("<i8").tobytes()}
            for row, start, end in zip(keys, starts.tolist(), ends.tolist(), strict=True)
        ]  # fmt: skip
        if rows:  # as the driver gave them: SQLite's days are already its stored text
            names = [c.name for c in table.c]
            values = ", ".join(":" + n for n in names)
            insert = text(f"insert into {name} ({', '.join(names)}) values ({values})")
            bind.execute(insert, rows)
