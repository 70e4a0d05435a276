-- grain: one row per open case still unanswered at :as_of, soonest deadline first (already
-- breached ones first). Business time remaining needs the calendar: added in Python.
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.channel,
    c.subject,
    c.created_at,
    c.target_seconds,
    c.response_deadline,
    c.response_breach_at
from {{cases_any_period}} as c
where c.response_recorded
    and c.created_at <= :as_of
    and (c.first_response_at is null or c.first_response_at > :as_of)
    and (c.resolved_at is null or c.resolved_at > :as_of)
order by c.response_deadline, c.case_id
limit :limit
