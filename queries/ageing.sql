-- grain: created local day x severity: cases open at :as_of (created by then, not resolved by
-- then), counted
-- Every case created on a day has the same age in business days, counted in Python from the
-- business calendar (dashboard/analytics.py), which covers any as-of instant; the stored
-- calendar_days only spans the years of the data. A row per case was 270,000 rows to carry
-- through the driver at 10M cases; a row per day and severity is a few thousand.
select
    c.created_local_date,
    c.severity,
    count(*) as cases
from ({{open_cases_at}}) as c
group by c.created_local_date, c.severity
order by c.created_local_date, c.severity
