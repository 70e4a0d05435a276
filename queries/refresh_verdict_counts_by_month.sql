-- grain: writes verdict_counts_by_month: created local month x severity x customer x channel x plan x source x our stored verdict x the helpdesk's x its basis x dismissed x response recorded
-- Summed from verdict_counts (refreshed first). Its days' months come from calendar_days,
-- which holds every local day of the data (case_counts' not-null months depend on it too).
-- `day` is the month's earliest day with cases, as in case_counts_by_month.
insert into verdict_counts_by_month (day, severity, customer, channel, plan, source,
                                     response_status, helpdesk_verdict, helpdesk_basis,
                                     dismissed, response_recorded, cases)
select
    min(c.day),
    c.severity,
    c.customer,
    c.channel,
    c.plan,
    c.source,
    c.response_status,
    c.helpdesk_verdict,
    c.helpdesk_basis,
    c.dismissed,
    c.response_recorded,
    sum(c.cases)
from verdict_counts as c
join calendar_days as d on d.day = c.day
group by d.month, c.severity, c.customer, c.channel, c.plan, c.source, c.response_status,
    c.helpdesk_verdict, c.helpdesk_basis, c.dismissed, c.response_recorded
