-- grain: one row per stored case with this id (one per source that has it)
select c.*
from cases as c
where c.case_id = :case_id
    and (:all_case_sources or c.source = :one_source)
    and {{customer_scope}}
order by c.source
