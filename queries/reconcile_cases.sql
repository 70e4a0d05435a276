-- grain: one row per case of the period, with our first-response verdict and the helpdesk's own
-- (vendor_sla: met, breached or empty), for reconciliation (dashboard/reconcile.py's
-- reconcile_rows: every case, where reconcile() reads counts and the disagreeing cases alone)
with reconciled as (
    {{reconciled}}
)
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
    c.response_status,
    c.vendor_sla,
    c.vendor_response_minutes,
    c.vendor_response_business_minutes
from reconciled as c
order by c.severity, c.source, c.case_id
