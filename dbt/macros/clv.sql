{#- Recency / frequency / age summary of each customer up to `period_end` (a column of
    int_clv_dates), in weeks, as the BG/NBD and Gamma-Gamma models need it:
    frequency = purchase days after the first, recency_weeks = first to last purchase,
    age_weeks = first purchase to period end, mean_repeat_value = mean value of the repeat
    purchase days. With with_holdout, also the purchase days after calibration_end. -#}
{% macro clv_summary(period_end, with_holdout=false) %}
with dates as (
    select * from {{ ref('int_clv_dates') }}
),

days as (
    select d.*, dates.{{ period_end }} as period_end
    from {{ ref('int_customer_days_aggregated') }} as d
    cross join dates
),

firsts as (
    select customer_key, min(transaction_date) as first_purchase_date
    from days
    group by customer_key
)

select
    days.customer_key,
    firsts.first_purchase_date,
    any_value(days.period_end) as period_end,
    count(*) filter (where days.transaction_date <= days.period_end) - 1 as frequency,
    date_diff('day', firsts.first_purchase_date,
        max(days.transaction_date) filter (where days.transaction_date <= days.period_end)) / 7.0
        as recency_weeks,
    date_diff('day', firsts.first_purchase_date, any_value(days.period_end)) / 7.0 as age_weeks,
    avg(days.day_value) filter (
        where days.transaction_date > firsts.first_purchase_date
          and days.transaction_date <= days.period_end
    ) as mean_repeat_value
    {%- if with_holdout %},
    count(*) filter (
        where days.transaction_date > (select calibration_end from dates)
          and days.transaction_date <= (select observation_end from dates)
    ) as holdout_purchases
    {%- endif %}
from days
inner join firsts using (customer_key)
where firsts.first_purchase_date <= days.period_end
group by days.customer_key, firsts.first_purchase_date
{% endmacro %}
