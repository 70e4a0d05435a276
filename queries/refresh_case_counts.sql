-- grain: writes case_counts: created local day x severity x customer x channel x plan x dismissal reason x stored status
insert into case_counts (day, week, month, quarter, severity, customer, channel, plan,
                         dismissal_reason, response_status, cases)
select
    c.created_local_date,
    c.created_local_week,
    c.created_local_month,
    c.created_local_quarter,
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    c.dismissal_reason,
    c.response_status,
    count(*)
from cases as c
group by c.created_local_date, c.created_local_week, c.created_local_month,
    c.created_local_quarter, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status
