-- grain: one row per distinct customer, channel, plan and source of any case (the sidebar's lists)
-- Read from case_counts_by_month, which sums case_counts (every case grouped by these
-- columns, among others) by month: the same values, from a tenth of the rows (10,000 at a
-- million cases; case_counts' 97,000 took 100-170 ms of each first render on PostgreSQL).
select distinct 'customer' as kind, c.customer as value
from case_counts_by_month as c
where c.customer is not null and {{customer_scope}}
union
select distinct 'channel', c.channel
from case_counts_by_month as c
where c.channel is not null and {{customer_scope}}
union
select distinct 'plan', c.plan
from case_counts_by_month as c
where c.plan is not null and {{customer_scope}}
union
select distinct 'source', c.source
from case_counts_by_month as c
where c.source is not null and {{customer_scope}}
