-- grain: one row per source: its stored cases the person may see, their first and last local
-- creation day, and how many are unscored (the Data sources view)
-- Read from the per-day counts (case_counts, refreshed with every change to cases), not the
-- cases: a million of them took a second to scan. A case is unscored exactly when its export
-- records no first responses (sla.score: response_recorded false), its stored status then.
select
    c.source,
    sum(c.cases) as cases,
    min(c.day) as first_day,
    max(c.day) as last_day,
    sum(case when c.response_status = 'unscored' then c.cases else 0 end) as unscored
from case_counts as c
where {{customer_scope}}
group by c.source
order by c.source
