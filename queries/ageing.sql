-- grain: created local day x severity: cases open at :as_of (created by then, not resolved by
-- then), counted
-- Every case created on a day has the same age in business days, counted in Python from the
-- business calendar (dashboard/analytics.py), which covers any as-of instant; the stored
-- calendar_days only spans the years of the data. A row per case was 270,000 rows to carry
-- through the driver at 10M cases; a row per day and severity is a few thousand. Two arms,
-- as open_cases.sql: the unresolved cases read from ix_cases_open alone.
select
    o.created_local_date,
    o.severity,
    sum(o.cases) as cases
from (
    select c.created_local_date, c.severity, count(*) as cases
    from cases as c
    where c.resolved_at is null
        and c.created_at <= :as_of
        and {{case_filters}}
    group by c.created_local_date, c.severity
    union all
    select c.created_local_date, c.severity, count(*) as cases
    from cases as c
    where c.resolved_at > :as_of
        and c.created_at <= :as_of
        and {{case_filters}}
    group by c.created_local_date, c.severity
) as o
group by o.created_local_date, o.severity
order by o.created_local_date, o.severity
