-- grain: one row per open case still unanswered at :as_of and not yet past its response
-- deadline then, soonest deadline first: at_risk.sql without the overdue cases (counted by
-- queue_counts.sql), for the business time left, which needs the calendar (added in Python).
select
    {{unanswered_columns}}
from ({{open_cases_at}}) as c
where {{unanswered_at}}
    and c.response_breach_at > :as_of
order by c.response_deadline, c.case_id
limit :limit
