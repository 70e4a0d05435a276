-- grain: one row per open case still unanswered at :as_of, soonest deadline first (already
-- breached ones first). Business time remaining needs the calendar: added in Python.
-- Two arms, as open_cases.sql: the unresolved cases read from ix_cases_open alone, the few
-- resolved after :as_of through ix_cases_resolved_at ({{open_at}} in one condition read the
-- table for every open case: 1.3 s at 10M cases on PostgreSQL).
select
    q.*
from (
    select
        {{unanswered_columns}}
    from cases as c
    where c.resolved_at is null
        and c.created_at <= :as_of
        and {{unanswered_at}}
    union all
    select
        {{unanswered_columns}}
    from cases as c
    where c.resolved_at > :as_of
        and c.created_at <= :as_of
        and {{unanswered_at}}
) as q
order by q.response_deadline, q.case_id
limit :limit
