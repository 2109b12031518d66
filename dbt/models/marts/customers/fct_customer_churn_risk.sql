-- Today's churn risk per customer who bought within churn_model_active_days: the chance of no
-- purchase in the next churn_horizon_days, from purchases and what the customer said, with the
-- reasons that raise it most (dagster_project/analysis/churn_model.py).
select
    customer_key,
    cutoff_date,
    horizon_days,
    churn_risk,
    purchases_only_risk,
    p_alive,
    churn_risk >= cast({{ var('churn_risk_threshold') }} as double) as is_high_risk,
    reason_1,
    reason_2,
    reason_3,
    concat_ws('; ', reason_1, reason_2, reason_3) as reasons
from {{ source('churn', 'churn_scores') }}
