-- grain: one row per case open at :as_of (created by then, not resolved by then)
-- Ages in business days are counted in Python from the business calendar (dashboard/
-- analytics.py), which covers any as-of instant; the stored calendar_days only spans the
-- years of the data.
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.created_at,
    c.created_local_date,
    c.first_response_at
from cases as c
where {{open_at}}
    and {{case_filters}}
order by c.created_at, c.case_id
