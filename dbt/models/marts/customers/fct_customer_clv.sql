-- Predictive customer value, scored in SQL from the latest full-data fits in
-- analysis.clv_model_runs: P(alive), expected purchases and spend over the horizon, and the
-- discounted CLV = sum over months m of E[value] x (E[Y(m)] - E[Y(m-1)]) / (1 + d)^m.
with params as (
    {{ latest_clv_params('full') }}
),

summary as (
    select * from {{ ref('int_clv_summary_full') }}
),

months as (
    select {{ int_series('0', 'cast(' ~ var('clv_horizon_months') ~ ' as integer) + 1') }} as month_ahead
),

expected as (
    select
        s.customer_key,
        m.month_ahead,
        {{ bgnbd_expected_purchases('m.month_ahead * 365.25 / 12 / 7', 's.frequency', 's.recency_weeks', 's.age_weeks') }}
            as cumulative_purchases
    from summary as s
    cross join months as m
    cross join params
),

discounted as (
    select
        customer_key,
        max(cumulative_purchases) as expected_purchases,
        -- summed in month order, so the result does not depend on parallel aggregation
        {{ ordered_sum("(cumulative_purchases - prev)
            / power(1 + cast(" ~ var('clv_monthly_discount_rate') ~ " as double), month_ahead)", 'month_ahead') }} as discounted_purchases
    from (
        select *, lag(cumulative_purchases, 1, 0.0) over (partition by customer_key order by month_ahead) as prev
        from expected
    )
    group by customer_key
)

select
    s.customer_key,
    s.first_purchase_date,
    s.frequency,
    s.recency_weeks,
    s.age_weeks,
    s.mean_repeat_value,
    {{ bgnbd_p_alive('s.frequency', 's.recency_weeks', 's.age_weeks') }} as p_alive,
    d.expected_purchases,
    {{ gamma_gamma_expected_value('s.frequency', 's.mean_repeat_value') }} as expected_transaction_value,
    round(d.discounted_purchases * {{ gamma_gamma_expected_value('s.frequency', 's.mean_repeat_value') }}, 2)
        as predicted_clv,
    cast({{ var('clv_horizon_months') }} as integer) as horizon_months,
    cast({{ var('clv_monthly_discount_rate') }} as double) as monthly_discount_rate,
    params.bgnbd_run_id,
    params.gamma_gamma_run_id
from summary as s
inner join discounted as d using (customer_key)
cross join params
