-- grain: writes verdict_disagreements: one row per case whose stored first-response verdict differs from the helpdesk's (both met or breached, not dismissed)
-- The cases reconcile_disagreements.sql reads, found once per import or recompute instead of
-- once per look at the Reconciliation page. The unanswered cases are not here: their verdict
-- depends on the as-of instant, and that query judges them live.
insert into verdict_disagreements (day, source, case_id)
select
    c.created_local_date,
    c.source,
    c.case_id
from cases as c
where c.response_status in ('met', 'breached')
    and c.dismissal_reason is null
    and {{helpdesk_verdict}} in ('met', 'breached')
    and c.response_status <> {{helpdesk_verdict}}
