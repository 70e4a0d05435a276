-- grain: period (:grain) x customer x dismissal reason ('' for cases not dismissed): cases
-- Dismissal rates are dismissed / all cases, computed from summed counts.
select
    case cast(:grain as varchar(10))
        when 'day' then cast(c.created_local_date as varchar(10))
        when 'week' then cast(c.created_local_week as varchar(10))
        when 'month' then c.created_local_month
        else c.created_local_quarter
    end as period,
    c.customer,
    coalesce(c.dismissal_reason, '') as reason,
    count(*) as cases
from {{cases_in_period}} as c
group by 1, 2, 3
order by 1, 2, 3
