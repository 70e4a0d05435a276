-- grain: one row: the first and last local creation day of the filtered cases in the period
select
    min(c.day) as first_day,
    max(c.day) as last_day,
    sum(c.cases) as cases
from case_counts as c
where c.day between :date_from and :date_to
    and {{case_filters}}
