-- grain: local day x severity: the net change in open cases that day (opened - resolved)
-- The backlog at the end of day D is the running total of these up to D (dashboard/
-- analytics.py adds them up). A resolution recorded before creation (bad data) counts on
-- the creation day, so a case never counts as closed before it opened.
select
    m.day,
    m.severity,
    sum(m.delta) as delta
from (
    select c.severity, c.created_local_date as day, 1 as delta
    from {{cases_any_period}} as c
    union all
    select
        c.severity,
        case
            when c.resolved_local_date > c.created_local_date then c.resolved_local_date
            else c.created_local_date
        end as day,
        -1 as delta
    from {{cases_any_period}} as c
    where c.resolved_local_date is not null
) as m
where m.day <= :date_to
group by m.day, m.severity
order by m.day, m.severity
