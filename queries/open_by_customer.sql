-- grain: customer: cases open at :as_of (whenever created) and, of them, those overdue: still
-- unanswered past their response deadline (the at-risk queue's breached rows, at_risk.sql),
-- counted for every customer at once: the Customers page's ranking (issue 15)
select
    c.customer,
    count(*) as open_cases,
    sum(
        case
            when {{unanswered_at}} and c.response_breach_at <= :as_of then 1
            else 0
        end
    ) as overdue
from ({{open_cases_at}}) as c
group by c.customer
order by c.customer
