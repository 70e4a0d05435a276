-- fragment: the select list of a case (alias c) reconciled: its columns, our first-response
-- verdict judged at :as_of and the helpdesk's (stated, or its business-time figure against
-- the target), as dashboard/reconcile.py's _with_helpdesk_verdicts derives them
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
    c.vendor_response_business_minutes,
    {{helpdesk_verdict}} as helpdesk_verdict,
    {{helpdesk_basis}} as helpdesk_basis
