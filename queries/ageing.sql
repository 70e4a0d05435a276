-- grain: one row per case open at :as_of, with its age in business days: the working days
-- of the calendar after the day it was created, up to and including :as_of_date
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.created_at,
    c.first_response_at,
    (
        select count(*)
        from calendar_days as d
        where d.is_working_day
            and d.day > c.created_local_date
            and d.day <= :as_of_date
    ) as age_business_days
from {{cases_any_period}} as c
where c.created_at <= :as_of
    and (c.resolved_at is null or c.resolved_at > :as_of)
order by c.created_at, c.case_id
