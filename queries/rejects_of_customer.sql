-- grain: one row per row any import rejected that names :customer, newest import first (the
-- data-quality notes of a customer's review pack)
select
    i.file_name,
    r.import_id,
    r.row_number,
    r.case_id,
    r.reason
from import_rejects as r
join imports as i on i.id = r.import_id
where r.customer = :customer
    and (:all_scope or r.customer in :scope)
order by r.import_id desc, r.row_number
