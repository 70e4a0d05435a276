-- grain: local day in [:date_from, :date_to] x severity: the net change in open cases that
-- day (opened - closed), with everything before :date_from in one row dated :date_before
-- The backlog at the end of a day is the running total up to it (dashboard/analytics.py).
-- From case_moves, rebuilt at every import: tens of thousands of rows, not every case.
select
    :date_before as day,
    c.severity,
    sum(c.opened - c.closed) as delta
from case_moves as c
where c.day < :date_from
    and {{case_filters}}
group by c.severity
union all
select
    c.day,
    c.severity,
    sum(c.opened - c.closed) as delta
from case_moves as c
where c.day between :date_from and :date_to
    and {{case_filters}}
group by c.day, c.severity
order by 1, 2
