-- grain: one row per case of the period breached as of :as_of (answered late, or unanswered
-- past its breach instant), worst first; an unanswered one's overshoot needs the business
-- calendar and is added in Python.
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
from {{cases_in_period}} as c
where c.sla_status = 'breached'
order by c.severity, c.response_deadline, c.case_id
limit :limit
