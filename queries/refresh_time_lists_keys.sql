-- grain: read by the summaries' refresh: one row per key of case_counts with a response or a resolution time, with how many of each, in the order refresh_time_lists_times reads the times
-- dashboard/time_lists.py cuts the times read next into one list per row here. case_counts
-- is refreshed first: its rows are sorted here instead of grouping every case again. The
-- month groups the lists again into time_lists_by_month.
select
    c.day,
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    c.dismissal_reason,
    c.response_status,
    c.source,
    c.month,
    c.answered,
    c.resolved
from case_counts as c
where c.answered > 0 or c.resolved > 0
order by c.day, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
