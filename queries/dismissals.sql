-- grain: period (:grain) x customer x dismissal reason ('' for cases not dismissed): cases
-- Dismissal rates are dismissed / all cases, computed from summed counts.
select
    {{period}} as period,
    c.customer,
    coalesce(c.dismissal_reason, '') as reason,
    sum(c.cases) as cases
from case_counts as c
where c.day between :date_from and :date_to
    and {{case_filters}}
group by 1, 2, 3
order by 1, 2, 3
