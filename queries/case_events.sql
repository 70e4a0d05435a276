-- grain: one row per stored event of one case (an event log's history), in stored order
select e.*
from case_events as e
where e.source = :source
    and e.case_id = :case_id
    and exists (
        select 1 from cases as c
        where c.source = e.source and c.case_id = e.case_id and {{customer_scope}}
    )
order by e.at, e.sequence, e.import_id, e.row_number
