-- days waiting count to the day the report is built, not to the last data date
select reason, customer_name, email, phone, store_id, cast(event_at as date) as date,
    date_diff('day', cast(event_at as date), current_date) as days_waiting, verbatim
from marts.rpt_follow_up
order by days_waiting desc, event_at, reason, item_id
limit 25
