-- grain: writes case_closings: local day a case stopped being open x severity x customer x channel x plan
-- A resolution recorded before creation (bad data) closes the case on its creation day, so
-- a case never counts as closed before it opened.
insert into case_closings (day, severity, customer, channel, plan, cases)
select
    case
        when c.resolved_local_date > c.created_local_date then c.resolved_local_date
        else c.created_local_date
    end,
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    count(*)
from cases as c
where c.resolved_local_date is not null
group by 1, 2, 3, 4, 5
