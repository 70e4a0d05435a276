-- fragment: the at-risk queue's columns (of alias c), with what business time remaining is
-- computed from
    c.source,
    c.case_id,
    c.customer,
    c.severity,
    c.channel,
    c.subject,
    c.created_at,
    c.target_seconds,
    c.response_deadline,
    c.response_breach_at
