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
from cases as c
where {{open_at}}
    and c.response_recorded
    and (c.first_response_at is null or c.first_response_at > :as_of)
    and {{case_filters}}
order by c.response_deadline, c.case_id
limit :limit
