-- grain: one row per import, newest first (the Import page's history)
select
    i.id,
    i.file_name,
    i.format,
    i.source,
    i.started_at,
    i.finished_at,
    i.user_name,
    i.rows_read,
    i.inserted,
    i.updated,
    i.unchanged,
    i.rejected,
    i.policy_fingerprint,
    i.notes
from imports as i
-- imports span customers: only a person who sees every customer reads the log
where :all_scope
order by i.id desc
limit :limit
