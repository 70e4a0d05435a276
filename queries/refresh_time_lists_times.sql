-- grain: read by the summaries' refresh: one row per case with a business response or resolution time, both times (-1 for a missing one), ordered by case_counts' key (refresh_time_lists_keys)
-- One reading for both lists: at a large import PostgreSQL cannot yet read the index alone
-- (its pages are not marked all-visible until the VACUUM after the commit) and visits the
-- table for every entry, about 2 s a reading at 1M cases. In the order of ix_cases_by_day,
-- read alone on SQLite: no sort. Stored times are never negative: -1 marks a missing one,
-- and a negative stored time would leave its list short of case_counts' count, which
-- dashboard/time_lists.py refuses.
select
    coalesce(c.response_business_seconds, -1),
    coalesce(c.resolution_business_seconds, -1)
from cases as c
where c.response_business_seconds is not null or c.resolution_business_seconds is not null
order by c.created_local_date, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
