-- grain: one row per row an import rejected, in file order, with the reason and the original
-- fields (JSON) so nothing is lost
select
    r.row_number,
    r.case_id,
    r.customer,
    r.reason,
    r.record
from import_rejects as r
where r.import_id = :import_id
    and (:all_scope or r.customer in :scope)
order by r.row_number, r.id
