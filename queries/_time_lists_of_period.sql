-- fragment: the time lists of the period :date_from .. :date_to under the filters, alias c
-- after it: its whole months (:months_from .. :months_end) from time_lists_by_month, the
-- days around them (.. :lead_to, :trail_from ..) from time_lists (queries.whole_months)
(
    select c.severity, c.response_seconds, c.resolution_seconds
    from time_lists_by_month as c
    where c.day between :months_from and :months_end
        and {{case_filters}}
    union all
    select c.severity, c.response_seconds, c.resolution_seconds
    from time_lists as c
    where c.day between :date_from and :lead_to
        and {{case_filters}}
    union all
    select c.severity, c.response_seconds, c.resolution_seconds
    from time_lists as c
    where c.day between :trail_from and :date_to
        and {{case_filters}}
)
