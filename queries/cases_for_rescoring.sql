-- grain: one row per filtered case created in the period, with the imported fields a policy
-- scores (for what-if figures under another policy, computed in memory), and the business
-- time each resolved case spent paused, as stored; an event log's cases (event_count) are
-- derived again from their events under the other policy (dashboard/whatif.py)
select
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.channel,
    c.dismissal_reason,
    c.created_at,
    c.first_response_at,
    c.response_recorded,
    c.resolved_at,
    c.paused_business_seconds,
    c.event_count
from cases as c
where c.created_local_date between :date_from and :date_to
    and {{case_filters}}
order by c.source, c.case_id
