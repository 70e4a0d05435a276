-- grain: severity x source x our verdict x the helpdesk's x its basis x dismissed x recorded:
-- the reconciliation's matrices and the cases not compared, counted in the database
-- (dashboard/reconcile.py; a million cases of a period would otherwise cross the driver)
with reconciled as (
    {{reconciled}}
)
select
    c.severity,
    c.source,
    c.response_status,
    c.helpdesk_verdict,
    c.helpdesk_basis,
    case when c.dismissal_reason is null then 0 else 1 end as dismissed,
    c.response_recorded,
    count(*) as cases
from reconciled as c
group by 1, 2, 3, 4, 5, 6, 7
order by 1, 2, 3, 4, 5, 6, 7
