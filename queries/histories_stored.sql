-- grain: one row: whether any stored case came with a history (an event log's events)
-- Read before queries/reopens.sql: without any history, no case can say whether it was
-- reopened, and the scan of the period's cases for one is skipped.
select count(*) as histories
from (select 1 as found from case_events limit 1) as e
