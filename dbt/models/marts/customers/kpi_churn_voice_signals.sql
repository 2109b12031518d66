-- What customers said against whether they left: per signal (a slow first reply, an
-- unsatisfied CSAT rating, a detractor NPS answer, a negative last message, a complaint about
-- a theme), the held-out customers' churn rate with and without it, and the regression's
-- odds ratio with purchase history held equal (dagster_project/analysis/churn_model.py).
select
    signal,
    signal_label,
    customers,
    customers_with,
    churn_rate_with,
    churn_rate_without,
    lift,
    risk_ratio,
    risk_ratio_ci_low,
    risk_ratio_ci_high,
    risk_ratio_ci_low > 1 as goes_with_leaving,
    model_feature,
    odds_ratio_per_sd
from {{ source('churn', 'churn_voice_signals') }}
