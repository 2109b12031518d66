-- days waiting count to the day the report is built
select
    count(*) as waiting,
    round(avg(date_diff('day', cast(event_at as date), current_date)), 0) as avg_days_waiting
from marts.rpt_follow_up
