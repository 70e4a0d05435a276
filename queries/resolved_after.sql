-- grain: one row per case created in the period and resolved after :as_of, with a resolution time
-- The cases resolution_times.sql counts that were still open at :as_of: few unless :as_of is
-- long past. Read from the index ix_cases_resolution alone.
select
    c.severity,
    c.resolution_business_seconds
from cases as c
where c.created_local_date between :date_from and :date_to
    and c.resolution_business_seconds is not null
    and c.resolved_at > :as_of
    and {{case_filters}}
