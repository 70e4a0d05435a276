-- grain: one row per case open at :as_of (created by then, not resolved by then), whenever
-- created, soonest deadline first: one customer's open cases on the Customers page (issue 15)
-- Whether an unanswered one is overdue, and the business time left, come from the at-risk
-- queue (at_risk.sql and the business calendar), so both pages say the same.
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.channel,
    c.subject,
    c.created_at,
    c.first_response_at,
    c.response_recorded,
    c.response_deadline
from cases as c
where {{open_at}}
    and {{case_filters}}
-- the overdue first, then the other unanswered, then the answered: a cut list keeps them
order by
    case
        when c.response_recorded
            and (c.first_response_at is null or c.first_response_at > :as_of)
            and c.response_breach_at <= :as_of then 0
        when c.response_recorded
            and (c.first_response_at is null or c.first_response_at > :as_of) then 1
        else 2
    end,
    c.response_deadline,
    c.case_id
limit :limit
