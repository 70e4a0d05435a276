-- grain: period (:grain) x severity: cases opened and cases resolved in each local period
-- (whenever they were created: a case resolved in March counts in March)
with events as (
    select c.severity, c.created_local_date as day, 1 as opened, 0 as resolved
    from {{cases_any_period}} as c
    union all
    select c.severity, c.resolved_local_date as day, 0 as opened, 1 as resolved
    from {{cases_any_period}} as c
    where c.resolved_local_date is not null
)
select
    case cast(:grain as varchar(10))
        when 'day' then cast(d.day as varchar(10))
        when 'week' then cast(d.week as varchar(10))
        when 'month' then d.month
        else d.quarter
    end as period,
    e.severity,
    sum(e.opened) as opened,
    sum(e.resolved) as resolved
from events as e
join calendar_days as d on d.day = e.day
where e.day between :date_from and :date_to
group by 1, 2
order by 1, 2
