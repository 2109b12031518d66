select method, method_label, train_cutoff, test_cutoff, horizon_days, train_customers, customers,
       churners, churn_rate, auc, auc_ci_low, auc_ci_high, auc_gain, auc_gain_ci_low,
       auc_gain_ci_high, compared_with_purchases_only, top_decile_lift, brier_score, voice_features
from marts.kpi_churn_model_evaluation
order by case method when 'voice_and_purchases' then 1 when 'purchases_only' then 2
                     when 'p_alive' then 3 else 4 end
