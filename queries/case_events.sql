-- grain: one row per stored event of one case (an event log's history), in stored order
select e.*
from case_events as e
where e.source = :source
    and e.case_id = :case_id
order by e.at, e.sequence, e.import_id, e.row_number
