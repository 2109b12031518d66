-- Calibration of each churn prediction on the held-out period: in ten bins of predicted
-- probability, the mean prediction against the share who churned.
select
    method,
    bin,
    predicted_low,
    predicted_high,
    customers,
    mean_predicted,
    observed_rate
from {{ source('churn', 'churn_model_calibration') }}
