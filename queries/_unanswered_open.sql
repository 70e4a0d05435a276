-- fragment: the at-risk queue's rows: cases open and still unanswered at :as_of (exports that
-- record first responses only), with what business time remaining is computed from
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
