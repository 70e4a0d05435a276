-- grain: severity: cases open at :as_of (created at or before it, no resolution at or
-- before it), whenever they were created
select
    c.severity,
    count(*) as open_cases
from ({{open_cases_at}}) as c
group by c.severity
order by c.severity
