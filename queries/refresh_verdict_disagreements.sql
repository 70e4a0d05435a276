-- grain: writes verdict_disagreements: one row per case whose stored first-response verdict differs from the helpdesk's (both met or breached, not dismissed)
-- The cases reconcile_disagreements.sql reads, found once per import or recompute instead of
-- once per look at the Reconciliation page, with the columns it reads. The unanswered cases
-- are not here: their verdict depends on the as-of instant, and that query judges them live.
insert into verdict_disagreements (day, channel, plan, source, case_id, customer, severity,
    created_at, first_response_at, resolved_at, response_recorded, dismissal_reason,
    target_seconds, response_business_seconds, resolution_business_seconds, response_status,
    vendor_sla, vendor_response_minutes, vendor_response_business_minutes)
select
    c.created_local_date,
    c.channel,
    c.plan,
    {{reconciliation_row}}
from cases as c
where c.response_status in ('met', 'breached')
    and c.dismissal_reason is null
    and {{helpdesk_verdict}} in ('met', 'breached')
    and c.response_status <> {{helpdesk_verdict}}
