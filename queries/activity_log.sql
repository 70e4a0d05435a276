-- grain: one row per recorded change other than an import (re-scores, saved formats), newest first
select
    a.at,
    a.user_name,
    a.action,
    a.detail
from activity as a
-- a change spans customers: only a person who sees every customer reads the log
where :all_scope
order by a.id desc
limit :limit
