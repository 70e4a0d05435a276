-- grain: writes case_moves: local day x severity x customer x channel x plan x source: cases opened and closed that day
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
