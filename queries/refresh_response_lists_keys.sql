-- grain: read by the summaries' refresh: one row per key of response_time_lists with answered cases (case_counts' key), in the order refresh_response_lists_times reads their times
-- dashboard/time_lists.py cuts the times read next into one list per row here: both read
-- ix_cases_by_day alone, in its order (no sort), and choose the same cases.
select
    c.created_local_date as day,
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    c.dismissal_reason,
    c.response_status,
    c.source,
    count(*) as cases
from cases as c
where c.response_business_seconds is not null
group by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
order by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
