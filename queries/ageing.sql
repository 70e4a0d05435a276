-- grain: one row per case open at :as_of, with its age in business days: the working days
-- after the day it was created, up to and including :as_of_date (a difference of
-- calendar_days.working_day_number, rather than a count per case)
-- The creation day's number is a lookup per open case, not a join: joined, SQLite walks the
-- calendar and reads every case of every day instead of the few open ones.
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.created_at,
    c.first_response_at,
    (
        select d.working_day_number from calendar_days as d where d.day = :as_of_date
    ) - (
        select d.working_day_number from calendar_days as d where d.day = c.created_local_date
    ) as age_business_days
from cases as c
where {{open_at}}
    and {{case_filters}}
order by c.created_at, c.case_id
