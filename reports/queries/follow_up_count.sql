-- customers waiting (one per customer), days counted to the day the report is built
select
    count(*) as waiting,
    round(avg(date_diff('day', first_date, current_date)), 0) as avg_days_waiting
from (
    select customer_key, min(cast(event_at as date)) as first_date
    from marts.rpt_follow_up
    group by customer_key
)
