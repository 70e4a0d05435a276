-- fragment: the filters every query takes; an empty list means "all" (its flag is true)
    {{customer_scope}}
    and (:all_customers or c.customer in :customers)
    and (:all_severities or c.severity in :severities)
    and (:all_channels or c.channel in :channels)
    and (:all_plans or c.plan in :plans)
    and (:all_sources or c.source in :sources)
