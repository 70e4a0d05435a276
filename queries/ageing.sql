-- grain: one row per case open at :as_of, with its age in business days: the working days
-- after the day it was created, up to and including :as_of_date (a difference of
-- calendar_days.working_day_number, rather than a count per case)
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.created_at,
    c.first_response_at,
    (
        select d.working_day_number from calendar_days as d where d.day = :as_of_date
    ) - created.working_day_number as age_business_days
from cases as c
join calendar_days as created on created.day = c.created_local_date
where {{open_at}}
    and {{case_filters}}
order by c.created_at, c.case_id
