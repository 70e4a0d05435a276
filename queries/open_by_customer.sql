-- grain: customer: cases open at :as_of (whenever created) and, of them, those overdue: still
-- unanswered past their response deadline (the at-risk queue's breached rows, at_risk.sql),
-- counted for every customer at once: the Customers page's ranking (issue 15)
-- Two arms, as open_cases.sql: the unresolved cases read from ix_cases_open alone.
select
    o.customer,
    sum(o.open_cases) as open_cases,
    sum(o.overdue) as overdue
from (
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
    where c.resolved_at is null
        and c.created_at <= :as_of
        and {{case_filters}}
    group by c.customer
    union all
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
    where c.resolved_at > :as_of
        and c.created_at <= :as_of
        and {{case_filters}}
    group by c.customer
) as o
group by o.customer
order by o.customer
