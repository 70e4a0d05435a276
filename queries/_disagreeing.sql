-- fragment: the compared cases of the period whose verdicts differ (ours and the helpdesk's
-- both met or breached, not dismissed), with the columns of _reconciliation_row.sql; read as
-- a table, `from ({{disagreeing}}) as c`. The cases with a stored verdict are read from
-- verdict_disagreements (refreshed with every import and recompute: 28,000 of 1M cases,
-- where judging the period's every case took 0.6-1 s); the unanswered ones with responses
-- recorded are judged live at :as_of, as reconcile_counts.sql does.
select
    {{reconciliation_row}}
from verdict_disagreements as c
where c.day between :date_from and :date_to
    and {{case_filters}}
union all
select
    {{reconciliation_row}}
from (
    select
        {{reconciled_columns}}
    from cases as c
    where c.response_status is null
        and c.response_recorded
        and c.created_local_date between :date_from and :date_to
        and {{case_filters}}
) as c
where c.response_status in ('met', 'breached')
    and c.dismissal_reason is null
    and c.helpdesk_verdict in ('met', 'breached')
    and c.response_status <> c.helpdesk_verdict
