-- grain: writes verdict_counts: created local day x severity x customer x channel x plan x source x our stored verdict x the helpdesk's x its basis x dismissed x response recorded
-- Every case but the unanswered ones with responses recorded, whose verdict depends on the
-- as-of instant: reconcile_counts.sql judges those live, as attainment.sql does. The table
-- is read whole (the helpdesk's columns are in no index), once per import or recompute,
-- instead of once per look at the Reconciliation page.
insert into verdict_counts (day, severity, customer, channel, plan, source, response_status,
                            helpdesk_verdict, helpdesk_basis, dismissed, response_recorded,
                            cases)
select
    c.created_local_date,
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    c.source,
    c.response_status,
    {{helpdesk_verdict}},
    {{helpdesk_basis}},
    case when c.dismissal_reason is null then 0 else 1 end,
    c.response_recorded,
    count(*)
from cases as c
where c.response_status is not null or not c.response_recorded
group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
