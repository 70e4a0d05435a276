-- grain: one row per compared case of the period whose verdicts differ (ours and the
-- helpdesk's both met or breached, not dismissed): the rows of reconcile_cases.sql that
-- dashboard/reconcile.py looks for a cause of, and only those
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
where c.response_status in ('met', 'breached')
    and c.dismissal_reason is null
    and c.helpdesk_verdict in ('met', 'breached')
    and c.response_status <> c.helpdesk_verdict
order by c.severity, c.source, c.case_id
