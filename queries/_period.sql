-- fragment: the period of a row with day, week, month and quarter columns (alias c), by :grain
case cast(:grain as varchar(10))
    when 'day' then cast(c.day as varchar(10))
    when 'week' then cast(c.week as varchar(10))
    when 'month' then c.month
    else c.quarter
end
