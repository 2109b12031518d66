-- How well each way of predicting churn did on the held-out period, all on the same customers
-- (written by the churn model, dagster_project/analysis/churn_model.py), with the comparison
-- against purchase history alone in words: better only when the whole 95% interval of the
-- AUC difference is above zero.
select
    method,
    method_label,
    train_cutoff,
    test_cutoff,
    horizon_days,
    train_customers,
    customers,
    churners,
    churn_rate,
    auc,
    auc_ci_low,
    auc_ci_high,
    auc_gain,
    auc_gain_ci_low,
    auc_gain_ci_high,
    case
        when method = 'purchases_only' then null
        when auc_gain_ci_low > 0 then 'better'
        when auc_gain_ci_high < 0 then 'worse'
        else 'no clear difference'
    end as compared_with_purchases_only,
    top_decile_lift,
    brier_score,
    voice_features,
    features,
    fitted_at
from {{ source('churn', 'churn_model_evaluation') }}
