-- grain: one row per case of the period breached as of :as_of (answered late, or unanswered
-- past its breach instant), by severity then deadline; an unanswered one's overshoot needs
-- the business calendar and is added in Python. The cases are chosen and sorted in
-- ix_cases_unanswered, which holds every column that takes, and only the shown ones (:limit)
-- are read from the table.
with breached as (
    select c.source, c.case_id, c.severity, c.response_deadline
    from cases as c
    where c.response_status = 'breached'
        and c.created_local_date between :date_from and :date_to
        and {{case_filters}}
    union all
    select c.source, c.case_id, c.severity, c.response_deadline
    from cases as c
    where c.response_status is null
        and c.response_breach_at <= :as_of
        and c.created_local_date between :date_from and :date_to
        and {{case_filters}}
),
shown as (
    select b.source, b.case_id, b.severity, b.response_deadline
    from breached as b
    order by b.severity, b.response_deadline, b.case_id
    limit :limit
)
select
    c.source,
    c.case_id,
    c.customer,
    c.plan,
    c.severity,
    c.channel,
    c.subject,
    c.created_at,
    c.first_response_at,
    c.response_deadline,
    c.target_seconds,
    c.response_business_seconds,
    c.response_business_seconds - c.target_seconds as overshoot_seconds,
    c.dismissal_reason
from shown as s
join cases as c on c.source = s.source and c.case_id = s.case_id
order by s.severity, s.response_deadline, s.case_id
