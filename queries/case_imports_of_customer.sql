-- grain: one row per stored case of :customer, with the import that last wrote it (a rejected
-- row that a later import stored is no longer a data-quality note)
select
    c.case_id,
    c.last_import_id
from cases as c
where c.customer = :customer
    and {{customer_scope}}
