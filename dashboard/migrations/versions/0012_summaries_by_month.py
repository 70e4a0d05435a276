"""Schema 12: the summaries rolled up by month (issue 16), filled from the daily ones:

- case_counts_by_month and verdict_counts_by_month sum case_counts and verdict_counts by
  created month;
- time_lists_by_month joins time_lists' lists by month and the dimensions the filters choose;
- verdict_disagreements lists the cases whose stored verdict differs from the helpdesk's, for
  the Reconciliation page;
- ix_cases_unanswered takes the columns the breaches are filtered and sorted by.

A period's whole months are then read there, a row per month instead of one per day, and the
days around them from the daily tables (queries/_*_of_period.sql). `day` is each month's
earliest day with cases.

The refresh is frozen here as it was at this revision: a later change to the program must
not change what this upgrade does.

Revision ID: 0012
Revises: 0011
"""

from alembic import op
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.types import TypeDecorator

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


class _UtcDateTime(TypeDecorator):
    """A frozen copy of store.UtcDateTime's storage: integer seconds on SQLite, timestamptz."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))


UNANSWERED = ["response_status", "created_local_date", "severity", "response_deadline",
              "response_breach_at", "customer", "channel", "plan", "source", "case_id"]  # fmt: skip

FILL_CASE_COUNTS = """
insert into case_counts_by_month (day, month, quarter, severity, customer, channel, plan,
                                  dismissal_reason, response_status, source, cases, answered,
                                  resolved)
select min(c.day), c.month, c.quarter, c.severity, c.customer, c.channel, c.plan,
    c.dismissal_reason, c.response_status, c.source, sum(c.cases), sum(c.answered),
    sum(c.resolved)
from case_counts as c
group by c.month, c.quarter, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
"""

FILL_VERDICT_COUNTS = """
insert into verdict_counts_by_month (day, severity, customer, channel, plan, source,
                                     response_status, helpdesk_verdict, helpdesk_basis,
                                     dismissed, response_recorded, cases)
select min(c.day), c.severity, c.customer, c.channel, c.plan, c.source, c.response_status,
    c.helpdesk_verdict, c.helpdesk_basis, c.dismissed, c.response_recorded, sum(c.cases)
from verdict_counts as c
join calendar_days as d on d.day = c.day
group by d.month, c.severity, c.customer, c.channel, c.plan, c.source, c.response_status,
    c.helpdesk_verdict, c.helpdesk_basis, c.dismissed, c.response_recorded
"""

DAILY_LISTS = """
select t.day, d.month, t.severity, t.customer, t.channel, t.plan, t.source,
    t.response_seconds, t.resolution_seconds
from time_lists as t
join calendar_days as d on d.day = t.day
order by t.day
"""

DISAGREEMENT_COLUMNS = [
    "source", "case_id", "customer", "channel", "plan", "severity", "created_at",
    "first_response_at", "resolved_at", "response_recorded", "dismissal_reason",
    "target_seconds", "response_business_seconds", "resolution_business_seconds",
    "response_status", "vendor_sla", "vendor_response_minutes",
    "vendor_response_business_minutes",
]  # fmt: skip

FILL_DISAGREEMENTS = """
insert into verdict_disagreements (day, {columns})
select c.created_local_date, {prefixed}
from cases as c
where c.response_status in ('met', 'breached')
    and c.dismissal_reason is null
    and {verdict} in ('met', 'breached')
    and c.response_status <> {verdict}
"""

HELPDESK_VERDICT = """
case
    when c.vendor_sla in ('met', 'breached') then c.vendor_sla
    when c.vendor_response_business_minutes is not null and c.target_seconds is not null
        then
            case
                when c.vendor_response_business_minutes * 60 <= c.target_seconds then 'met'
                else 'breached'
            end
end
"""

LIST_COLUMNS = ["day", "severity", "customer", "channel", "plan", "source", "response_seconds",
                "resolution_seconds"]  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "case_counts_by_month",
        Column("day", Date, nullable=False),
        Column("month", String(7), nullable=False),
        Column("quarter", String(7), nullable=False),
        *_dimensions(),
        Column("dismissal_reason", String(40)),
        Column("response_status", String(10)),
        Column("source", Text),
        Column("cases", Integer, nullable=False),
        Column("answered", Integer, nullable=False),
        Column("resolved", Integer, nullable=False),
    )
    op.create_index("ix_case_counts_by_month_day", "case_counts_by_month", ["day"])
    op.execute(FILL_CASE_COUNTS)
    op.create_table(
        "verdict_counts_by_month",
        Column("day", Date, nullable=False),
        *_dimensions(),
        Column("source", Text),
        Column("response_status", String(10)),
        Column("helpdesk_verdict", String(10)),
        Column("helpdesk_basis", String(20), nullable=False),
        Column("dismissed", SmallInteger, nullable=False),
        Column("response_recorded", Boolean, nullable=False),
        Column("cases", Integer, nullable=False),
    )
    op.create_index("ix_verdict_counts_by_month_day", "verdict_counts_by_month", ["day"])
    op.execute(FILL_VERDICT_COUNTS)
    op.create_table(
        "time_lists_by_month",
        Column("day", Date, nullable=False),
        *_dimensions(),
        Column("source", Text),
        Column("response_seconds", LargeBinary, nullable=False),
        Column("resolution_seconds", LargeBinary, nullable=False),
    )
    op.create_index("ix_time_lists_by_month_day", "time_lists_by_month", ["day"])
    _fill_time_lists()
    op.create_table(
        "verdict_disagreements",
        Column("day", Date, nullable=False),
        Column("source", Text),
        Column("case_id", Text),
        Column("customer", Text),
        Column("channel", Text),
        Column("plan", Text),
        Column("severity", SmallInteger),
        Column("created_at", _UtcDateTime),
        Column("first_response_at", _UtcDateTime),
        Column("resolved_at", _UtcDateTime),
        Column("response_recorded", Boolean),
        Column("dismissal_reason", String(40)),
        Column("target_seconds", Integer),
        Column("response_business_seconds", BigInteger),
        Column("resolution_business_seconds", BigInteger),
        Column("response_status", String(10)),
        Column("vendor_sla", Text),
        Column("vendor_response_minutes", Float),
        Column("vendor_response_business_minutes", Float),
    )
    op.create_index("ix_verdict_disagreements_day", "verdict_disagreements", ["day"])
    op.drop_index("ix_cases_unanswered", table_name="cases")
    op.create_index("ix_cases_unanswered", "cases", UNANSWERED)
    op.execute(FILL_DISAGREEMENTS.format(
        columns=", ".join(DISAGREEMENT_COLUMNS),
        prefixed=", ".join(f"c.{name}" for name in DISAGREEMENT_COLUMNS),
        verdict=HELPDESK_VERDICT,
    ))  # fmt: skip


def _dimensions() -> list[Column]:
    return [
        Column("severity", SmallInteger, nullable=False),
        Column("customer", Text),
        Column("channel", Text),
        Column("plan", Text),
    ]


def _fill_time_lists() -> None:
    bind = op.get_bind()
    grouped: dict[tuple, tuple] = {}
    for day, month, *dimensions, response, resolution in bind.execute(text(DAILY_LISTS)):
        found = grouped.get((month, *dimensions))
        if found is None:  # by day: the first is the month's earliest
            grouped[(month, *dimensions)] = (day, [response], [resolution])
        else:
            found[1].append(response)
            found[2].append(resolution)
    rows = [dict(zip(LIST_COLUMNS, (day, *key[1:], b"".join(responses), b"".join(resolutions)),
                     strict=True))
            for key, (day, responses, resolutions) in grouped.items()]  # fmt: skip
    if rows:  # as the driver gave them: SQLite's days are already its stored text
        values = ", ".join(":" + n for n in LIST_COLUMNS)
        bind.execute(text(f"insert into time_lists_by_month ({', '.join(LIST_COLUMNS)}) "
                          f"values ({values})"), rows)  # fmt: skip
