-- The first days of a month against the same days of the month before and of a year earlier.
-- $start: first day of the partial month; $days: days of it with data (1 = only the 1st).
with windows as (
    select 'so_far' as period, cast($start as date) as first_day
    union all
    select 'previous_month', cast($start - interval 1 month as date)
    union all
    select 'year_earlier', cast($start - interval 12 month as date)
),

bounds as (
    select
        period,
        first_day,
        -- the same days, never past the end of that month (31 days into a 30-day month)
        least(
            cast(first_day + to_days(cast($days as integer) - 1) as date),
            cast(first_day + interval 1 month - interval 1 day as date)
        ) as last_day
    from windows
)

select
    b.period,
    b.first_day,
    b.last_day,
    (select round(sum(net_sales), 2) from marts.fct_pos_transactions
        where transaction_date between b.first_day and b.last_day) as net_revenue,
    (select count(*) from marts.fct_pos_transactions
        where transaction_date between b.first_day and b.last_day and not is_refund) as payments,
    (select count(*) from marts.fct_nps_responses
        where cast(responded_at as date) between b.first_day and b.last_day) as nps_responses,
    (select count(*) from marts.fct_support_tickets
        where cast(created_at as date) between b.first_day and b.last_day) as tickets
from bounds as b
order by case b.period when 'so_far' then 1 when 'previous_month' then 2 else 3 end
