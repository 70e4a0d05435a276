-- grain: one row per source: its stored cases the person may see, their first and last local
-- creation day, and how many are unscored (the Data sources view)
select
    c.source,
    count(*) as cases,
    min(c.created_local_date) as first_day,
    max(c.created_local_date) as last_day,
    sum(case when c.response_recorded then 0 else 1 end) as unscored
from cases as c
where {{customer_scope}}
group by c.source
order by c.source
