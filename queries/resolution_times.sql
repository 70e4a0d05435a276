-- grain: one row per case created in the period, resolved by :as_of, with a resolution time
-- A case resolved after :as_of was still open then (the backlog counts it so): left out.
-- Creation to resolution in business seconds, less pauses (computed at import and by
-- recompute; null while open or when the resolution precedes the creation), and the stored
-- verdict against the severity's resolution target, as 0/1 columns to sum (none: both 0).
-- Percentiles are taken in Python (dashboard/analytics.py), as for response times.
select
    c.severity,
    c.resolution_business_seconds,
    case when c.resolution_status = 'met' then 1 else 0 end as resolution_met,
    case when c.resolution_status = 'breached' then 1 else 0 end as resolution_breached
from cases as c
where c.created_local_date between :date_from and :date_to
    and c.resolution_business_seconds is not null
    and c.resolved_at <= :as_of
    and {{case_filters}}
