-- grain: one row per case of the period whose first response is recorded before its creation
-- (status invalid: reported, never judged)
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.created_at,
    c.first_response_at
from cases as c
where c.response_status = 'invalid'
    and c.created_local_date between :date_from and :date_to
    and {{case_filters}}
order by c.created_at, c.case_id
