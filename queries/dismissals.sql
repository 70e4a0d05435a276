-- grain: period (:grain) x customer x dismissal reason ('' for cases not dismissed): cases
-- Dismissal rates are dismissed / all cases, computed from summed counts.
select
    {{period}} as period,
    c.customer,
    coalesce(c.dismissal_reason, '') as reason,
    sum(c.cases) as cases
from {{case_counts_of_period}} as c
group by 1, 2, 3
order by 1, 2, 3
