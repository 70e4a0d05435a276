-- grain: one row per answered case in the period that has a business response time
-- Percentiles and near misses are computed in Python from these rows (dashboard/analytics.py):
-- SQLite has no percentile function, and PostgreSQL's would need different SQL.
select
    c.severity,
    c.target_seconds,
    c.response_business_seconds,
    c.dismissed
from {{cases_in_period}} as c
where c.response_business_seconds is not null
