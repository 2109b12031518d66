-- One row per customer waiting for a call back, with every reason and what they said; days
-- waiting count from their first unanswered complaint to the day the report is built.
select
    max(customer_name) as customer_name,
    max(email) as email,
    max(phone) as phone,
    max(store_id) as store_id,
    string_agg(reason, '; ' order by event_at, item_id) as reasons,
    min(cast(event_at as date)) as date,
    date_diff('day', min(cast(event_at as date)), current_date) as days_waiting,
    string_agg(verbatim, ' | ' order by event_at, item_id) as verbatim
from marts.rpt_follow_up
group by customer_key
order by days_waiting desc, customer_key
