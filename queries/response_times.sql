-- grain: one row per answered case in the period that has a business response time
-- Percentiles and near misses are computed in Python from these rows (dashboard/analytics.py):
-- SQLite has no percentile function, and PostgreSQL's would need different SQL. Read from
-- the index ix_cases_by_day alone.
select
    c.severity,
    c.response_business_seconds
from cases as c
where c.created_local_date between :date_from and :date_to
    and c.response_business_seconds is not null
    and {{case_filters}}
