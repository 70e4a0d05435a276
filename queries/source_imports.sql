-- grain: one row per finished import: its source, when, file, format and who (aggregated per
-- source by dashboard/sources.py); imports span customers: only a person who sees every
-- customer reads them
select
    i.source,
    i.id,
    i.finished_at,
    i.file_name,
    i.format,
    i.user_name
from imports as i
where :all_scope and i.status = 'finished'
order by i.id
