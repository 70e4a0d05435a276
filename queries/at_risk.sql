-- grain: one row per open case still unanswered at :as_of, soonest deadline first (already
-- breached ones first). Business time remaining needs the calendar: added in Python.
select
    {{unanswered_columns}}
from ({{open_cases_at}}) as c
where {{unanswered_at}}
order by c.response_deadline, c.case_id
limit :limit
