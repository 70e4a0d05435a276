-- grain: severity: cases open at :as_of (created at or before it, no resolution at or
-- before it), whenever they were created
-- Two arms, the unresolved cases and those resolved after :as_of, so that the first reads
-- ix_cases_open alone (a partial index of the unresolved cases) and the second the few
-- resolutions after :as_of in ix_cases_resolved_at; {{open_at}} in one condition read the
-- table for every open case (1.35 s at 10M cases on PostgreSQL).
select
    o.severity,
    sum(o.cases) as open_cases
from (
    select c.severity, count(*) as cases
    from cases as c
    where c.resolved_at is null
        and c.created_at <= :as_of
        and {{case_filters}}
    group by c.severity
    union all
    select c.severity, count(*) as cases
    from cases as c
    where c.resolved_at > :as_of
        and c.created_at <= :as_of
        and {{case_filters}}
    group by c.severity
) as o
group by o.severity
order by o.severity
