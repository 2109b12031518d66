-- The headline customer-value figures with their definitions and parameters: one row.
with v as (
    select * from {{ ref('fct_customer_value') }} where orders > 0
),

last_month_churn as (
    select
        sum(churned) as churned,
        sum(active_at_start) as active_at_start
    from {{ ref('kpi_churn_monthly') }}
    where month = (select max(month) from {{ ref('kpi_churn_monthly') }})
)

select
    count(*) as customers_with_purchases,
    round(avg(historical_clv), 2) as avg_historical_clv,
    round(avg(cast(predicted_clv as decimal(18, 2))), 2) as avg_predicted_clv,
    sum(cast(predicted_clv as decimal(18, 2))) as total_predicted_clv,
    count(*) filter (where is_churned_inactive) as churned_inactive,
    count(*) filter (where is_model_at_risk) as model_at_risk,
    (select count(*) from {{ ref('rpt_customers_at_risk') }}) as high_value_at_risk,
    round(100.0 * (select churned from last_month_churn)
        / nullif((select active_at_start from last_month_churn), 0), 2) as last_month_churn_rate_pct,
    (select active_at_start from last_month_churn) as last_month_active_at_start,
    max(churn_threshold_days) as churn_threshold_days,
    (select rule from {{ ref('int_churn_threshold_derived') }}) as churn_rule,
    (select n_gaps from {{ ref('int_churn_threshold_derived') }}) as churn_threshold_n_gaps,
    cast({{ var('churn_p_alive_threshold') }} as double) as p_alive_threshold,
    cast({{ var('clv_horizon_months') }} as integer) as horizon_months,
    cast({{ var('clv_monthly_discount_rate') }} as double) as monthly_discount_rate,
    cast({{ var('at_risk_top_value_share') }} as double) as at_risk_top_value_share,
    cast({{ var('churn_risk_threshold') }} as double) as churn_risk_threshold,
    cast({{ var('churn_horizon_days') }} as integer) as churn_horizon_days,
    (select observation_end from {{ ref('int_clv_dates') }}) as observation_end,
    max(b.bgnbd_run_id) as bgnbd_run_id,
    max(b.gamma_gamma_run_id) as gamma_gamma_run_id
from v
cross join (select distinct bgnbd_run_id, gamma_gamma_run_id from {{ ref('fct_customer_clv') }}) as b
