-- fragment: one row per case of the period (alias c), reconciled (_reconciled_columns.sql):
-- reconcile_cases.sql reads every case through it, for reconcile_rows
select
    {{reconciled_columns}}
from cases as c
where c.created_local_date between :date_from and :date_to
    and {{case_filters}}
