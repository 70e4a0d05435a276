-- grain: severity: the at-risk queue at :as_of counted, not read: the open cases still
-- unanswered then (at_risk.sql's rows) and, of them, those overdue (past their response
-- deadline: at_risk's `breached`). At 10M cases the queue holds 100,000 rows, which cost a
-- second to fetch and convert; the few not yet overdue, among which those at risk are found
-- with the business calendar, are read apart (at_risk_pending.sql).
select
    c.severity,
    count(*) as unanswered,
    sum(case when c.response_breach_at <= :as_of then 1 else 0 end) as overdue
from ({{open_cases_at}}) as c
where {{unanswered_at}}
group by c.severity
order by c.severity
