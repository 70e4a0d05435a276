-- grain: one row per zone the imports of the filtered cases read their timestamps in (the zone
-- an export implies: reconciliation tries it); null for imports made before schema 9
-- Zone by zone (the imports share one or a few), each asking whether any filtered case was
-- last written by an import read in it: the first such case answers. Joining the imports
-- with the cases read every case of the period instead (0.25 s at 1M cases on PostgreSQL,
-- whose planner made a hash join of it; ten times that at 10M).
select
    z.time_zone
from (
    select distinct i.time_zone
    from imports as i
    where i.time_zone is not null
) as z
where (
    select 1
    from cases as c
    where c.last_import_id in (
            select i.id
            from imports as i
            where i.time_zone = z.time_zone
        )
        and c.created_local_date between :date_from and :date_to
        and {{case_filters}}
    limit 1
) is not null
order by z.time_zone
