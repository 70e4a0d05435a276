-- grain: severity x source x our verdict x the helpdesk's x its basis x dismissed x recorded:
-- the reconciliation's matrices and the cases not compared, counted in the database
-- (dashboard/reconcile.py). Summed from verdict_counts (refreshed with every import and
-- recompute), with the unanswered cases whose responses are recorded judged live at :as_of
-- (breached once past their breach instant, still pending before it), as _reconciled.sql
-- judges them: the same counts as grouping that fragment's rows.
with counted as (
    select
        c.severity,
        c.source,
        c.response_status,
        c.helpdesk_verdict,
        c.helpdesk_basis,
        c.dismissed,
        c.response_recorded,
        c.cases
    from {{verdict_counts_of_period}} as c
    union all
    select
        c.severity,
        c.source,
        case when c.response_breach_at <= :as_of then 'breached' end,
        {{helpdesk_verdict}},
        {{helpdesk_basis}},
        case when c.dismissal_reason is null then 0 else 1 end,
        c.response_recorded,
        1
    from cases as c
    where c.response_status is null
        and c.response_recorded
        and c.created_local_date between :date_from and :date_to
        and {{case_filters}}
)
select
    c.severity,
    c.source,
    c.response_status,
    c.helpdesk_verdict,
    c.helpdesk_basis,
    c.dismissed,
    c.response_recorded,
    sum(c.cases) as cases
from counted as c
group by 1, 2, 3, 4, 5, 6, 7
order by 1, 2, 3, 4, 5, 6, 7
