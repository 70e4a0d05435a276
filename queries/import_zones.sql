-- grain: one row per zone the imports of the filtered cases read their timestamps in (the zone
-- an export implies: reconciliation tries it); null for imports made before schema 9
select distinct
    i.time_zone
from imports as i
where i.time_zone is not null
    and exists (
        select 1
        from cases as c
        where c.last_import_id = i.id
            and c.created_local_date between :date_from and :date_to
            and {{case_filters}}
    )
order by i.time_zone
