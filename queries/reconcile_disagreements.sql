-- grain: one row per compared case of the period whose verdicts differ (_disagreeing.sql),
-- at most :limit, in the order the Reconciliation page lists them: the rows of
-- reconcile_cases.sql that dashboard/reconcile.py names a cause for and shows. Every one of
-- them is counted by cause from reconcile_causes.sql, which reads numbers alone.
select
    {{reconciliation_row}}
from ({{disagreeing}}) as c
order by c.severity, c.source, c.case_id
limit :limit
