-- fragment: the cases open at :as_of (created by then, not resolved by then) within the
-- filters, with the columns of ix_cases_open; read as a table, `from ({{open_cases_at}}) as c`.
-- Two arms: the unresolved cases, read from ix_cases_open (a partial index of them) alone,
-- and the few resolved after :as_of, through ix_cases_resolved_at. {{open_at}} in one
-- condition made PostgreSQL visit the table page of every open case (at 10M cases, 270,000:
-- 1.35 s for a count, 1.27 s for the at-risk queue).
select
    c.severity, c.created_local_date, c.created_at, c.customer, c.channel, c.plan, c.source,
    c.response_recorded, c.first_response_at, c.response_deadline, c.response_breach_at,
    c.target_seconds, c.case_id, c.subject
from cases as c
where c.resolved_at is null
    and c.created_at <= :as_of
    and {{case_filters}}
union all
select
    c.severity, c.created_local_date, c.created_at, c.customer, c.channel, c.plan, c.source,
    c.response_recorded, c.first_response_at, c.response_deadline, c.response_breach_at,
    c.target_seconds, c.case_id, c.subject
from cases as c
where c.resolved_at > :as_of
    and c.created_at <= :as_of
    and {{case_filters}}
