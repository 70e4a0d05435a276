-- grain: local day in [:date_from, :date_to] x severity: the net change in open cases that
-- day (opened - closed), with everything before :date_from in one row dated :date_before
-- The backlog at the end of a day is the running total up to it (dashboard/analytics.py).
-- From the counts tables, rebuilt at every import: a few thousand rows, not every case.
select
    case when m.day < :date_from then :date_before else m.day end as day,
    m.severity,
    sum(m.delta) as delta
from (
    select c.day, c.severity, c.cases as delta
    from case_counts as c
    where c.day <= :date_to
        and {{case_filters}}
    union all
    select c.day, c.severity, -c.cases as delta
    from case_closings as c
    where c.day <= :date_to
        and {{case_filters}}
) as m
group by 1, 2
order by 1, 2
