-- grain: one row per list of time_lists in the period: severity and the business response times of its answered cases
-- Percentiles and near misses are computed in Python from these times (dashboard/
-- time_lists.py, analytics.py): SQLite has no percentile function, and PostgreSQL's would
-- need different SQL. The lists hold every answered case's time, a few per row, so a year
-- of a million cases is some tens of thousands of rows here, not a million.
select
    c.severity,
    c.response_seconds
from {{time_lists_of_period}} as c
