-- grain: one row per case of the period, with our first-response verdict and the helpdesk's own
-- (vendor_sla: met, breached or empty), for reconciliation (dashboard/reconcile.py)
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.created_at,
    c.first_response_at,
    c.resolved_at,
    c.response_recorded,
    c.dismissal_reason,
    c.target_seconds,
    c.response_business_seconds,
    c.resolution_business_seconds,
    -- judged at :as_of: an unanswered case past its breach instant has breached by then
    case
        when c.response_status is null and c.response_recorded and c.response_breach_at <= :as_of
            then 'breached'
        else c.response_status
    end as response_status,
    c.vendor_sla,
    c.vendor_response_minutes,
    c.vendor_response_business_minutes
from cases as c
where c.created_local_date between :date_from and :date_to
    and {{case_filters}}
order by c.severity, c.source, c.case_id
