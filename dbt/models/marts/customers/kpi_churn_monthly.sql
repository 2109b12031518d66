-- Monthly inactivity churn rate per home store: customers who churned in the month (their
-- silence crossed the threshold) divided by the customers active at the start of the month
-- (a purchase within the threshold before it). Months run to the end of observation.
with months as (
    select {{ date_series("date_trunc('month', first_activity_date)",
                          "date_trunc('month', observation_end)", 'month') }} as month
    from {{ ref('int_clv_dates') }}
),

customers as (
    select c.customer_key, coalesce(d.home_store_id, 'unknown') as store_id
    from (select distinct customer_key from {{ ref('int_customer_days_aggregated') }}) as c
    left join {{ ref('stg_crm__customers') }} as d using (customer_key)
),

base as (
    select customers.store_id, months.month, customers.customer_key
    from customers cross join months
),

last_before as (
    {{ last_before('base', ['store_id', 'month', 'customer_key'], 'customer_key', 'month',
                   ref('int_customer_days_aggregated'), 'transaction_date', 'last_purchase') }}
),

flagged as (
    select
        l.store_id,
        l.month,
        l.customer_key,
        l.last_purchase is not null
            and {{ units_between('day', "l.last_purchase", "l.month") }} <= t.threshold_days as active_at_start
    from last_before as l
    cross join {{ ref('int_churn_threshold_derived') }} as t
),

churned as (
    select customer_key, cast(date_trunc('month', churn_date) as date) as month, count(*) as events
    from {{ ref('int_customer_churn_events') }}
    group by all
)

select
    f.store_id,
    f.month,
    count(*) filter (where f.active_at_start) as active_at_start,
    coalesce(sum(c.events) filter (where f.active_at_start), 0) as churned,
    round(100.0 * coalesce(sum(c.events) filter (where f.active_at_start), 0)
        / nullif(count(*) filter (where f.active_at_start), 0), 2) as churn_rate_pct,
    max(t.threshold_days) as threshold_days
from flagged as f
left join churned as c using (customer_key, month)
cross join {{ ref('int_churn_threshold_derived') }} as t
group by f.store_id, f.month
