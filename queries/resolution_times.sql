-- grain: one row per list of time_lists in the period: severity and the business resolution times of its resolved cases, whenever resolved
-- Creation to resolution in business seconds, less pauses (computed at import and by
-- recompute; null while open or when the resolution precedes the creation). Cases resolved
-- after :as_of were still open then: dashboard/time_lists.py takes them out again, read by
-- resolved_after.sql. Percentiles and verdicts are taken in Python (analytics.py).
select
    c.severity,
    c.resolution_seconds
from {{time_lists_of_period}} as c
