"""Schema 10: the summaries know each case's source, so a source can be chosen in the sidebar
like a customer (issue 15). case_counts and case_moves gain `source` and are rebuilt; the two
covering indexes of cases gain it too, so that the summaries' refresh and the period queries
still read an index alone.

The summaries' refresh is frozen here as it was at this revision: a later change to the
queries must not change what this upgrade does.

Revision ID: 0010
Revises: 0009
"""

from alembic import op
from sqlalchemy import Column, Text

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# source right after the status: the summaries' refresh groups in the index's order, unsorted
BY_DAY = ["created_local_date", "severity", "customer", "channel", "plan", "dismissal_reason",
          "response_status", "source", "response_business_seconds",
          "resolved_local_date"]  # fmt: skip
RESOLUTION = ["created_local_date", "severity", "customer", "channel", "plan", "resolved_at",
              "resolution_business_seconds", "event_count", "reopen_count"]  # fmt: skip

REFRESH_CASE_COUNTS = """
-- grain: writes case_counts: created local day x severity x customer x channel x plan x
-- dismissal reason x stored status x source
-- The grouping follows the columns of ix_cases_by_day in order, so it reads that index alone
-- and needs no sort; week, month and quarter come from calendar_days (refreshed first, over
-- every local day of the data: a day missing there would fail the not-null columns, loudly).
insert into case_counts (day, week, month, quarter, severity, customer, channel, plan,
                         dismissal_reason, response_status, source, cases)
select
    g.day,
    d.week,
    d.month,
    d.quarter,
    g.severity,
    g.customer,
    g.channel,
    g.plan,
    g.dismissal_reason,
    g.response_status,
    g.source,
    g.cases
from (
    select
        c.created_local_date as day,
        c.severity,
        c.customer,
        c.channel,
        c.plan,
        c.dismissal_reason,
        c.response_status,
        c.source,
        count(*) as cases
    from cases as c
    group by c.created_local_date, c.severity, c.customer, c.channel, c.plan,
        c.dismissal_reason, c.response_status, c.source
) as g
left join calendar_days as d on d.day = g.day
"""

REFRESH_CASE_MOVES = """
-- grain: writes case_moves: local day x severity x customer x channel x plan x source: cases
-- opened and closed that day
-- Run after refresh_case_counts: openings are summed from case_counts (already grouped),
-- so only closings read the cases. A case closes on the local day of its resolution; one
-- whose resolution was recorded before its creation (bad data) closes on its creation day,
-- so it never counts as closed before it opened. The backlog at the end of a day is the
-- running total of opened - closed.
insert into case_moves (day, severity, customer, channel, plan, source, opened, closed)
select
    m.day,
    m.severity,
    m.customer,
    m.channel,
    m.plan,
    m.source,
    sum(m.opened),
    sum(m.closed)
from (
    select
        o.day,
        o.severity,
        o.customer,
        o.channel,
        o.plan,
        o.source,
        sum(o.cases) as opened,
        0 as closed
    from case_counts as o
    group by o.day, o.severity, o.customer, o.channel, o.plan, o.source
    union all
    select
        case
            when c.resolved_local_date > c.created_local_date then c.resolved_local_date
            else c.created_local_date
        end as day,
        c.severity,
        c.customer,
        c.channel,
        c.plan,
        c.source,
        0 as opened,
        count(*) as closed
    from cases as c
    where c.resolved_local_date is not null
    group by 1, 2, 3, 4, 5, 6
) as m
group by m.day, m.severity, m.customer, m.channel, m.plan, m.source
"""


def upgrade() -> None:
    for name in ("case_counts", "case_moves"):
        with op.batch_alter_table(name) as batch:
            batch.add_column(Column("source", Text, nullable=True))
    for name, columns in (
        ("ix_cases_by_day", BY_DAY),
        ("ix_cases_resolution", [*RESOLUTION, "source"]),
    ):
        op.drop_index(name, table_name="cases")
        op.create_index(name, "cases", columns)
    op.execute("delete from case_counts")
    op.execute("delete from case_moves")
    op.execute(REFRESH_CASE_COUNTS)
    op.execute(REFRESH_CASE_MOVES)
