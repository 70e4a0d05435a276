-- grain: severity x channel: cases of the period by the channel they came in on
-- The policy reserves email for emergencies when the portal is down: email on levels 3-4 is
-- flagged by the caller, which knows the policy's levels.
select
    c.severity,
    coalesce(c.channel, '') as channel,
    sum(c.cases) as cases
from {{case_counts_of_period}} as c
group by 1, 2
order by 1, 2
