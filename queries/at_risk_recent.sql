-- grain: one row per open case still unanswered at :as_of and created between the local days
-- :created_from (the earliest that can still be pending then) and :created_to (the as-of
-- day: nothing created later is open then), soonest deadline first.
-- at_risk.sql without the older cases: at an instant long past, reading every case open then
-- means reading every later resolution, while the cases still pending then are a few days'.
-- (A separate file: the extra condition makes SQLite read the whole day index for the live
-- queue, where at_risk.sql finds the few open cases through resolved_at.)
{{unanswered_open}}
    and c.created_local_date between :created_from and :created_to
order by c.response_deadline, c.case_id
limit :limit
