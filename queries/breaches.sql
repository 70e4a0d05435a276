-- grain: one row per case of the period breached as of :as_of (answered late, or unanswered
-- past its breach instant), by severity then deadline; an unanswered one's overshoot needs
-- the business calendar and is added in Python.
with breached as (
    select c.*
    from cases as c
    where c.response_status = 'breached'
        and c.created_local_date between :date_from and :date_to
        and {{case_filters}}
    union all
    select c.*
    from cases as c
    where c.response_status is null
        and c.response_breach_at <= :as_of
        and c.created_local_date between :date_from and :date_to
        and {{case_filters}}
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
from breached as c
order by c.severity, c.response_deadline, c.case_id
limit :limit
