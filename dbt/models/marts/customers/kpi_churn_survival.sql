-- Kaplan-Meier survival of customers: time from first purchase to the first inactivity churn
-- (censored at the end of observation for customers who never churned), with a 95% band
-- (Greenwood variance, log-log transform).
with firsts as (
    select customer_key, min(transaction_date) as first_purchase_date
    from {{ ref('int_customer_days_aggregated') }}
    group by customer_key
),

first_churn as (
    select customer_key, min(churn_date) as churn_date
    from {{ ref('int_customer_churn_events') }}
    group by customer_key
),

durations as (
    select
        f.customer_key,
        {{ units_between('day', "f.first_purchase_date", "coalesce(c.churn_date, d.observation_end)") }} as days,
        c.churn_date is not null as churned
    from firsts as f
    left join first_churn as c using (customer_key)
    cross join {{ ref('int_clv_dates') }} as d
),

steps as (
    select
        days,
        count(*) filter (where churned) as events,
        count(*) filter (where not churned) as censored,
        count(*) as leaving
    from durations
    group by days
),

at_risk as (
    select
        *,
        sum(leaving) over (order by days desc rows between unbounded preceding and current row)
            as n_at_risk
    from steps
),

km as (
    select
        *,
        exp(sum(ln(1 - events / n_at_risk)) over (order by days)) as survival,
        sum(case when n_at_risk > events then events / (n_at_risk * (n_at_risk - events)) end)
            over (order by days) as greenwood
    from at_risk
    where events > 0 or days = 0
)

select
    days,
    n_at_risk,
    events,
    censored,
    round(survival, 6) as survival,
    round(case when survival in (0, 1) then survival
               else power(survival, exp(-1.959964 * sqrt(greenwood) / ln(survival))) end, 6)
        as survival_low,
    round(case when survival in (0, 1) then survival
               else power(survival, exp(1.959964 * sqrt(greenwood) / ln(survival))) end, 6)
        as survival_high
from km
union all
-- the curve starts at 1 on the day of the first purchase
select 0, (select count(*) from durations), 0, 0, 1.0, 1.0, 1.0
where not exists (select 1 from km where days = 0)
order by days
