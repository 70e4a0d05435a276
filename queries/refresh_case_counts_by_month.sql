-- grain: writes case_counts_by_month: created local month x severity x customer x channel x plan x dismissal reason x stored status x source
-- Summed from case_counts (refreshed first): a period's whole months read one row here per
-- key instead of one per day. `day` is the month's earliest day with cases (any of its days
-- places the month in a period: queries.whole_months).
insert into case_counts_by_month (day, month, quarter, severity, customer, channel, plan,
                                  dismissal_reason, response_status, source, cases, answered,
                                  resolved)
select
    min(c.day),
    c.month,
    c.quarter,
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    c.dismissal_reason,
    c.response_status,
    c.source,
    sum(c.cases),
    sum(c.answered),
    sum(c.resolved)
from case_counts as c
group by c.month, c.quarter, c.severity, c.customer, c.channel, c.plan, c.dismissal_reason,
    c.response_status, c.source
