-- fragment: one row per filtered case created in the period (local dates, inclusive), with
-- its SLA status as of :as_of. Answered cases carry their stored verdict; an unanswered one
-- is breached once :as_of reaches the first instant it overspent its target.
(
    select
        c.*,
        case
            when c.response_status is not null then c.response_status
            when c.response_breach_at <= :as_of then 'breached'
            else 'pending'
        end as sla_status,
        case when c.dismissal_reason is null then 0 else 1 end as dismissed
    from cases as c
    where c.created_local_date between :date_from and :date_to
        and {{case_filters}}
)
