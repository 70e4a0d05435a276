-- grain: period (:grain) x severity: cases opened and cases closed (resolved) in each local
-- period, whenever they were created: a case resolved in March counts in March
with moves as (
    select c.day, c.severity, c.opened, c.closed
    from case_moves as c
    where c.day between :date_from and :date_to
        and {{case_filters}}
)
select
    {{period}} as period,
    m.severity,
    sum(m.opened) as opened,
    sum(m.closed) as resolved
from moves as m
join calendar_days as c on c.day = m.day
group by 1, 2
order by 1, 2
