-- grain: writes case_counts: created local day x severity x customer x channel x plan x dismissal reason x stored status x source
-- The grouping follows the columns of ix_cases_by_day in order, so it reads that index alone
-- and needs no sort; week, month and quarter come from calendar_days (refreshed first, over
-- every local day of the data: a day missing there would fail the not-null columns, loudly).
-- answered and resolved count the cases with a response time and with a resolution time:
-- the lengths of their lists in time_lists (dashboard/time_lists.py).
insert into case_counts (day, week, month, quarter, severity, customer, channel, plan,
                         dismissal_reason, response_status, source, cases, answered, resolved)
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
    g.cases,
    g.answered,
    g.resolved
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
        count(*) as cases,
        count(c.response_business_seconds) as answered,
        count(c.resolution_business_seconds) as resolved
    from cases as c
    group by c.created_local_date, c.severity, c.customer, c.channel, c.plan,
        c.dismissal_reason, c.response_status, c.source
) as g
left join calendar_days as d on d.day = g.day
