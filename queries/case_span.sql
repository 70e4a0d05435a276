-- grain: one row: the first and last local creation day of the filtered cases in the period
select
    min(c.created_local_date) as first_day,
    max(c.created_local_date) as last_day,
    count(*) as cases
from {{cases_in_period}} as c
