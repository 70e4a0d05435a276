-- grain: read by the summaries' refresh: one row per case with a resolution time, that time, ordered by refresh_resolution_lists_keys' key
select c.resolution_business_seconds
from cases as c
where c.resolution_business_seconds is not null
order by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.source
