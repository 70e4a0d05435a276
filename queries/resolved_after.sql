-- grain: one row per case created in the period and resolved after :as_of, with a resolution time
-- The cases resolution_times.sql counts that were still open at :as_of: none when :as_of is
-- now, few unless it is long past. Read through ix_cases_resolved_at: the period's test is
-- wrapped in coalesce so that no planner reads every case of the period by ix_cases_by_day
-- instead (0.1 s a million cases, for none found).
select
    c.severity,
    c.resolution_business_seconds
from cases as c
where c.resolved_at > :as_of
    and coalesce(c.created_local_date, c.created_local_date) between :date_from and :date_to
    and c.resolution_business_seconds is not null
    and {{case_filters}}
