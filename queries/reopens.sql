-- grain: severity: cases created in the period that came with a history, and those reopened
-- Only an event log says how often a case was reopened (reopen_count, with event_count, is
-- null for cases from a one-row-per-case export): those cases are left out, not counted as
-- never reopened.
select
    c.severity,
    count(*) as with_history,
    sum(case when c.reopen_count > 0 then 1 else 0 end) as reopened
from cases as c
where c.created_local_date between :date_from and :date_to
    and c.event_count is not null
    and {{case_filters}}
group by c.severity
order by c.severity
