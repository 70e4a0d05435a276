-- grain: one row per distinct customer, channel, plan and source of any case (the sidebar's lists)
-- Read from case_counts, which groups every case by these columns: a few thousand rows at
-- a million cases instead of the cases themselves.
select distinct 'customer' as kind, c.customer as value
from case_counts as c
where c.customer is not null and {{customer_scope}}
union
select distinct 'channel', c.channel
from case_counts as c
where c.channel is not null and {{customer_scope}}
union
select distinct 'plan', c.plan
from case_counts as c
where c.plan is not null and {{customer_scope}}
union
select distinct 'source', c.source
from case_counts as c
where c.source is not null and {{customer_scope}}
