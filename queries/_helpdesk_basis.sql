-- fragment: what the helpdesk's verdict (_helpdesk_verdict.sql) rests on: 'stated',
-- 'business_figure', or '' when there is none
case
    when c.vendor_sla in ('met', 'breached') then 'stated'
    when c.vendor_response_business_minutes is not null and c.target_seconds is not null
        then 'business_figure'
    else ''
end
