-- grain: severity: cases open at :as_of (created at or before it, no resolution at or
-- before it), whenever they were created
select
    c.severity,
    count(*) as open_cases
from {{cases_any_period}} as c
where c.created_at <= :as_of
    and (c.resolved_at is null or c.resolved_at > :as_of)
group by c.severity
order by c.severity
