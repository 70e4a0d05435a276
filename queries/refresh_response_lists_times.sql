-- grain: read by the summaries' refresh: one row per answered case, its business response time, ordered by refresh_response_lists_keys' key
select c.response_business_seconds
from cases as c
where c.response_business_seconds is not null
order by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
