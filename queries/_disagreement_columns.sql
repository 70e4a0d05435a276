-- fragment: what the Reconciliation page reads of a case whose verdicts differ (alias c):
-- the columns verdict_disagreements keeps of it (store.DISAGREEMENT_COLUMNS, less channel
-- and plan, which only the filters read)
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
