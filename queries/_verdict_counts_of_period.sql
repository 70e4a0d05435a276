-- fragment: verdict_counts' rows of the period :date_from .. :date_to under the filters, alias
-- c after it: its whole months (:months_from .. :months_end) summed by month, the days around
-- them (.. :lead_to, :trail_from ..) by day (queries.whole_months binds them)
(
    select c.day, c.severity, c.customer, c.channel, c.plan, c.source, c.response_status,
        c.helpdesk_verdict, c.helpdesk_basis, c.dismissed, c.response_recorded, c.cases
    from verdict_counts_by_month as c
    where c.day between :months_from and :months_end
        and {{case_filters}}
    union all
    select c.day, c.severity, c.customer, c.channel, c.plan, c.source, c.response_status,
        c.helpdesk_verdict, c.helpdesk_basis, c.dismissed, c.response_recorded, c.cases
    from verdict_counts as c
    where c.day between :date_from and :lead_to
        and {{case_filters}}
    union all
    select c.day, c.severity, c.customer, c.channel, c.plan, c.source, c.response_status,
        c.helpdesk_verdict, c.helpdesk_basis, c.dismissed, c.response_recorded, c.cases
    from verdict_counts as c
    where c.day between :trail_from and :date_to
        and {{case_filters}}
)
