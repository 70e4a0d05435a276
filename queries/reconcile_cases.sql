-- grain: one row per case of the period, with our first-response verdict and the helpdesk's own
-- (vendor_sla: met, breached or empty), for reconciliation (dashboard/reconcile.py's
-- reconcile_rows: every case, where reconcile() reads counts and the disagreeing cases alone)
with reconciled as (
    {{reconciled}}
)
select
    {{reconciliation_row}}
from reconciled as c
order by c.severity, c.source, c.case_id
