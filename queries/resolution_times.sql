-- grain: one row per case created in the period, resolved by :as_of, with a resolution time
-- A case resolved after :as_of was still open then (the backlog counts it so): left out.
-- Creation to resolution in business seconds, less pauses (computed at import and by
-- recompute; null while open or when the resolution precedes the creation). Percentiles and
-- the verdicts against resolution targets are taken in Python (dashboard/analytics.py), as
-- for response times: these columns are in no index, so every row is read from the table,
-- and each further column costs as much again in the driver.
select
    c.severity,
    c.resolution_business_seconds
from cases as c
where c.created_local_date between :date_from and :date_to
    and c.resolution_business_seconds is not null
    and c.resolved_at <= :as_of
    and {{case_filters}}
