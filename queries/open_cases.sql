-- grain: severity: cases open at :as_of (created at or before it, no resolution at or
-- before it), whenever they were created
select
    c.severity,
    count(*) as open_cases
from cases as c
where {{open_at}}
    and {{case_filters}}
group by c.severity
order by c.severity
