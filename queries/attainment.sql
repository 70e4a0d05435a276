-- grain: severity x period (:grain = day, week, month or quarter) x customer x dismissed
-- Counts only: attainment = met / (met + breached) is computed from summed counts, never
-- averaged. Answered cases come counted from case_counts; unanswered ones are judged live:
-- breached once :as_of reaches the first instant they overspent their target, else pending.
-- Unscored cases (exports without first responses) are counted, never judged.
with judged as (
    select c.severity, c.day, c.week, c.month, c.quarter, c.customer,
        case when c.dismissal_reason is null then 0 else 1 end as dismissed,
        c.response_status as status,
        c.cases
    from {{case_counts_of_period}} as c
    where c.response_status is not null
    union all
    select c.severity, c.created_local_date, c.created_local_week, c.created_local_month,
        c.created_local_quarter, c.customer,
        case when c.dismissal_reason is null then 0 else 1 end,
        case when c.response_breach_at <= :as_of then 'breached' else 'pending' end,
        1
    from cases as c
    where c.response_status is null
        and c.created_local_date between :date_from and :date_to
        and {{case_filters}}
)
select
    c.severity,
    {{period}} as period,
    c.customer,
    c.dismissed,
    sum(c.cases) as cases,
    sum(case when c.status = 'met' then c.cases else 0 end) as met,
    sum(case when c.status = 'breached' then c.cases else 0 end) as breached,
    sum(case when c.status = 'pending' then c.cases else 0 end) as pending,
    sum(case when c.status = 'invalid' then c.cases else 0 end) as invalid,
    sum(case when c.status = 'unscored' then c.cases else 0 end) as unscored
from judged as c
group by 1, 2, 3, 4
order by 1, 2, 3, 4
