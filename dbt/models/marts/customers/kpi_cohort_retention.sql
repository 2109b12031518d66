-- Monthly acquisition cohorts (month of first purchase) by months since first purchase:
-- customers who bought again in that month and their revenue, as shares of the cohort's size
-- and of its first-month revenue.
with days as (
    select
        d.customer_key,
        cast(date_trunc('month', d.transaction_date) as date) as activity_month,
        d.day_value,
        cast(date_trunc('month', min(d.transaction_date) over (partition by d.customer_key)) as date)
            as cohort_month
    from {{ ref('int_customer_days_aggregated') }} as d
),

activity as (
    select
        cohort_month,
        {{ units_between('month', "cohort_month", "activity_month") }} as months_since_first,
        count(distinct customer_key) as customers,
        sum(day_value) as revenue
    from days
    group by all
)

select
    cohort_month,
    months_since_first,
    customers as active_customers,
    first_value(customers) over w as cohort_size,
    round(100.0 * customers / first_value(customers) over w, 2) as customer_retention_pct,
    round(revenue, 2) as revenue,
    round(100.0 * revenue / first_value(revenue) over w, 2) as revenue_retention_pct
from activity
window w as (partition by cohort_month order by months_since_first)
