-- fragment: one row per filtered case whenever it was created (for backlog questions: a case
-- opened before the period can still be open in it)
(
    select c.*
    from cases as c
    where {{case_filters}}
)
