"""Schema 11: summaries for the pages of a long period (issue 16), filled from the stored cases:

- case_counts gains `answered` and `resolved`: of each key's cases, how many have a business
  response time and a resolution time;
- time_lists keeps every case's business response and resolution time in lists per key of
  case_counts (dashboard/time_lists.py), so that a period's exact percentiles read a few
  thousand lists instead of a million cases;
- verdict_counts counts our verdicts beside the helpdesk's, for the Reconciliation page;
- ix_cases_by_day takes the resolution columns, so that the lists' refresh and the per-case
  reads of resolutions read it alone; ix_cases_resolution, which served them, goes.

The refresh is frozen here as it was at this revision: a later change to the program must
not change what this upgrade does.

Revision ID: 0011
Revises: 0010
"""

import numpy as np
from alembic import op
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    text,
)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

KEY = ["created_local_date", "severity", "customer", "channel", "plan", "dismissal_reason",
       "response_status", "source"]  # fmt: skip
BY_DAY = [*KEY, "response_business_seconds", "resolved_local_date",
          "resolution_business_seconds", "resolved_at", "event_count",
          "reopen_count"]  # fmt: skip

REFRESH_CASE_COUNTS = """
insert into case_counts (day, week, month, quarter, severity, customer, channel, plan,
                         dismissal_reason, response_status, source, cases, answered, resolved)
select
    g.day, d.week, d.month, d.quarter, g.severity, g.customer, g.channel, g.plan,
    g.dismissal_reason, g.response_status, g.source, g.cases, g.answered, g.resolved
from (
    select
        c.created_local_date as day, c.severity, c.customer, c.channel, c.plan,
        c.dismissal_reason, c.response_status, c.source,
        count(*) as cases,
        count(c.response_business_seconds) as answered,
        count(c.resolution_business_seconds) as resolved
    from cases as c
    group by c.created_local_date, c.severity, c.customer, c.channel, c.plan,
        c.dismissal_reason, c.response_status, c.source
) as g
left join calendar_days as d on d.day = g.day
"""

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

LIST_KEYS = """
select c.day, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source, c.answered, c.resolved
from case_counts as c
where c.answered > 0 or c.resolved > 0
order by c.day, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
"""

LIST_TIMES = """
select c.{seconds}
from cases as c
where c.{seconds} is not null
order by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
"""


def upgrade() -> None:
    for name in ("answered", "resolved"):
        with op.batch_alter_table("case_counts") as batch:
            batch.add_column(Column(name, Integer, nullable=True))
    op.execute("delete from case_counts")
    op.execute(REFRESH_CASE_COUNTS)
    op.drop_index("ix_cases_resolution", table_name="cases")
    op.drop_index("ix_cases_by_day", table_name="cases")
    op.create_index("ix_cases_by_day", "cases", BY_DAY)
    op.create_table(
        "verdict_counts",
        *_day_and_dimensions(),
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
    op.create_table(
        "time_lists",
        *_day_and_dimensions(),
        Column("dismissal_reason", String(40)),
        Column("response_status", String(10)),
        Column("source", Text),
        Column("response_seconds", LargeBinary, nullable=False),
        Column("resolution_seconds", LargeBinary, nullable=False),
    )
    op.create_index("ix_time_lists_day", "time_lists", ["day"])
    _fill_time_lists()


def _day_and_dimensions() -> list[Column]:
    return [
        Column("day", Date, nullable=False),
        Column("severity", SmallInteger, nullable=False),
        Column("customer", Text),
        Column("channel", Text),
        Column("plan", Text),
    ]


def _fill_time_lists() -> None:
    bind = op.get_bind()
    keys = bind.execute(text(LIST_KEYS)).all()
    lists = []
    for position, seconds in ((-2, "response_business_seconds"),
                              (-1, "resolution_business_seconds")):  # fmt: skip
        counts = np.array([row[position] for row in keys], dtype=np.int64)
        times = np.array(
            bind.execute(text(LIST_TIMES.format(seconds=seconds))).scalars().all(), dtype=np.int64
        )
        if int(counts.sum()) != times.size:
            raise RuntimeError(f"{seconds}: {times.size} times for {int(counts.sum())} cases")
        ends = np.cumsum(counts)
        lists.append([times[start:end].astype("<i8").tobytes()
                      for start, end in zip((ends - counts).tolist(), ends.tolist(),
                                            strict=True)])  # fmt: skip
    names = ["day", "severity", "customer", "channel", "plan", "dismissal_reason",
             "response_status", "source", "response_seconds", "resolution_seconds"]  # fmt: skip
    rows = [dict(zip(names, (*key[:-2], response, resolution), strict=True))
            for key, response, resolution in zip(keys, *lists, strict=True)]  # fmt: skip
    if rows:  # as the driver gave them: SQLite's days are already its stored text
        values = ", ".join(":" + n for n in names)
        bind.execute(text(f"insert into time_lists ({', '.join(names)}) values ({values})"), rows)
