-- fragment: the at-risk queue's rows: cases open and still unanswered at :as_of (exports that
-- record first responses only), with what business time remaining is computed from
select
    {{unanswered_columns}}
from cases as c
where {{open_at}}
    and {{unanswered_at}}
    and {{case_filters}}
