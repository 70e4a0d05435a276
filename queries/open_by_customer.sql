-- grain: customer: cases open at :as_of (whenever created) and, of them, those overdue: still
-- unanswered past their response deadline (the at-risk queue's breached rows, at_risk.sql),
-- counted for every customer at once: the Customers page's ranking (issue 15)
select
    c.customer,
    count(*) as open_cases,
    sum(
        case
            when c.response_recorded
                and (c.first_response_at is null or c.first_response_at > :as_of)
                and c.response_breach_at <= :as_of
            then 1
            else 0
        end
    ) as overdue
from cases as c
where {{open_at}}
    and {{case_filters}}
group by c.customer
order by c.customer
