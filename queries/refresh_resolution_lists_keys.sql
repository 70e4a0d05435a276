-- grain: read by the summaries' refresh: one row per key of resolution_time_lists with resolved cases, in the order refresh_resolution_lists_times reads their times
-- Both read ix_cases_resolution alone, grouped and ordered as its first six columns: no sort.
select
    c.created_local_date as day,
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    c.source,
    count(*) as cases
from cases as c
where c.resolution_business_seconds is not null
group by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.source
order by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.source
