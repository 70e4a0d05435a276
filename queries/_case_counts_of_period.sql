-- fragment: case_counts' rows of the period :date_from .. :date_to under the filters, alias c
-- after it: its whole months (:months_from .. :months_end) summed by month, the days around
-- them (.. :lead_to, :trail_from ..) by day (queries.whole_months binds them). A monthly
-- row has no week: no query reads one by week (whole_months reads weeks by day).
(
    select c.day, cast(null as date) as week, c.month, c.quarter, c.severity, c.customer,
        c.channel, c.plan, c.dismissal_reason, c.response_status, c.source, c.cases,
        c.answered, c.resolved
    from case_counts_by_month as c
    where c.day between :months_from and :months_end
        and {{case_filters}}
    union all
    select c.day, c.week, c.month, c.quarter, c.severity, c.customer, c.channel, c.plan,
        c.dismissal_reason, c.response_status, c.source, c.cases, c.answered, c.resolved
    from case_counts as c
    where c.day between :date_from and :lead_to
        and {{case_filters}}
    union all
    select c.day, c.week, c.month, c.quarter, c.severity, c.customer, c.channel, c.plan,
        c.dismissal_reason, c.response_status, c.source, c.cases, c.answered, c.resolved
    from case_counts as c
    where c.day between :trail_from and :date_to
        and {{case_filters}}
)
