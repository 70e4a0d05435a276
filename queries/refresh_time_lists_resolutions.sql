-- grain: read by the summaries' refresh: one row per case with a business resolution time, that time, ordered by case_counts' key (refresh_time_lists_keys)
-- In the order of ix_cases_by_day, read alone: no sort.
select c.resolution_business_seconds
from cases as c
where c.resolution_business_seconds is not null
order by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
