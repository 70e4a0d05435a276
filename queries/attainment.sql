-- grain: severity x period (:grain = day, week, month or quarter) x customer x dismissed
-- Counts only: attainment = met / (met + breached) is computed from summed counts, never
-- averaged. Unscored cases (exports without first responses) are counted, never judged.
select
    c.severity,
    case cast(:grain as varchar(10))
        when 'day' then cast(c.created_local_date as varchar(10))
        when 'week' then cast(c.created_local_week as varchar(10))
        when 'month' then c.created_local_month
        else c.created_local_quarter
    end as period,
    c.customer,
    c.dismissed,
    count(*) as cases,
    sum(case when c.sla_status = 'met' then 1 else 0 end) as met,
    sum(case when c.sla_status = 'breached' then 1 else 0 end) as breached,
    sum(case when c.sla_status = 'pending' then 1 else 0 end) as pending,
    sum(case when c.sla_status = 'invalid' then 1 else 0 end) as invalid,
    sum(case when c.sla_status = 'unscored' then 1 else 0 end) as unscored
from {{cases_in_period}} as c
group by 1, 2, 3, 4
order by 1, 2, 3, 4
