-- PERSONAL DATA (owner-facing follow-up list). High-value customers who are slipping away:
-- in the top share of predicted or historical value, and either silent past the churn
-- threshold, with P(alive) below the setting, or with a predicted churn risk at or above
-- var('churn_risk_threshold') (fct_customer_churn_risk, with its reasons), and still reachable:
-- silent for at most var('at_risk_max_silent_days') (someone gone for years is not a call to
-- make this week).
with ranked as (
    select
        *,
        percent_rank() over (order by greatest(coalesce(predicted_clv, 0), historical_clv)) as value_rank
    from {{ ref('fct_customer_value') }}
    where orders > 0
)

select
    r.customer_key,
    k.customer_name,
    k.email,
    k.phone,
    r.home_store_id,
    r.last_purchase_date,
    r.days_since_last_purchase,
    r.orders,
    r.historical_clv,
    r.predicted_clv,
    round(r.p_alive, 3) as p_alive,
    r.is_churned_inactive,
    r.is_model_at_risk,
    r.rfm_segment,
    c.churn_risk,
    coalesce(c.is_high_risk, false) as is_high_churn_risk,
    nullif(c.reasons, '') as churn_reasons
from ranked as r
inner join {{ ref('stg_crm__customer_contacts') }} as k using (customer_key)
left join {{ ref('fct_customer_churn_risk') }} as c using (customer_key)
where r.value_rank >= 1 - cast({{ var('at_risk_top_value_share') }} as double)
  and (r.is_churned_inactive or r.is_model_at_risk or coalesce(c.is_high_risk, false))
  and r.days_since_last_purchase <= cast({{ var('at_risk_max_silent_days') }} as integer)
order by r.historical_clv desc
