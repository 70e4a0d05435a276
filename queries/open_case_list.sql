-- grain: one row per case open at :as_of (created by then, not resolved by then), whenever
-- created, in the order the Customers page lists them (views.open_states): the overdue, then
-- the other unanswered, both by deadline; then the answered, then those with no response
-- recorded, both by creation. One customer's open cases (issue 15); whether an unanswered
-- one is overdue, and the business time it has left, are judged from the queue's columns (and
-- the response's) as the at-risk queue judges them (at_risk.sql), so every page says the same.
select
    {{unanswered_columns}},
    c.first_response_at,
    c.response_recorded
from ({{open_cases_at}}) as c
order by
    case
        when {{unanswered_at}} and c.response_breach_at <= :as_of then 0
        when {{unanswered_at}} then 1
        when c.response_recorded then 2
        else 3
    end,
    case when {{unanswered_at}} then c.response_deadline else c.created_at end,
    c.case_id
limit :limit
