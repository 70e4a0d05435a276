-- fragment: what dashboard/reconcile.py reads of a reconciled case (alias c): its columns,
-- our first-response verdict and the helpdesk's own (vendor_sla and its figures), in this
-- order; the rows of reconcile_cases.sql, of reconcile_disagreements.sql's two arms, and
-- what refresh_verdict_disagreements.sql keeps of them
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
