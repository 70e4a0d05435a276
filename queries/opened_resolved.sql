-- grain: period (:grain) x severity: cases opened and cases closed (resolved) in each local
-- period, whenever they were created: a case resolved in March counts in March
with events as (
    select c.day, c.severity, c.cases as opened, 0 as resolved
    from case_counts as c
    where c.day between :date_from and :date_to
        and {{case_filters}}
    union all
    select c.day, c.severity, 0 as opened, c.cases as resolved
    from case_closings as c
    where c.day between :date_from and :date_to
        and {{case_filters}}
)
select
    {{period}} as period,
    e.severity,
    sum(e.opened) as opened,
    sum(e.resolved) as resolved
from events as e
join calendar_days as c on c.day = e.day
group by 1, 2
order by 1, 2
