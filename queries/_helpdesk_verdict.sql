-- fragment: the helpdesk's verdict on a case (alias c): the one it states, or its business-time
-- figure against our target; null when it gives neither (dashboard/reconcile.py derives the
-- same for reconcile_rows)
case
    when c.vendor_sla in ('met', 'breached') then c.vendor_sla
    when c.vendor_response_business_minutes is not null and c.target_seconds is not null
        then
            case
                when c.vendor_response_business_minutes * 60 <= c.target_seconds then 'met'
                else 'breached'
            end
end
