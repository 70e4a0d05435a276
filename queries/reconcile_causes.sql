-- grain: one row per compared case of the period whose verdicts differ (_disagreeing.sql),
-- with what the hypotheses of dashboard/reconcile.py test, as numbers only: instants as
-- epoch seconds, the helpdesk's verdict and what it rests on as flags. Every disagreement is
-- counted by cause from these; at 10M cases over all time there are 281,520, which took
-- 2.5 s to read with their instants and text, where numbers take a fifth of that.
select
    c.target_seconds,
    {{created_epoch}} as created_epoch,
    {{first_response_epoch}} as first_response_epoch,
    c.response_business_seconds,
    c.resolution_business_seconds,
    case when {{helpdesk_verdict}} = 'met' then 1 else 0 end as helpdesk_met,
    case when {{helpdesk_basis}} = 'stated' then 1 else 0 end as stated,
    coalesce(c.vendor_response_business_minutes, c.vendor_response_minutes) * 60
        as helpdesk_seconds
from ({{disagreeing}}) as c
