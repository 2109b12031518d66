-- Correlations of team measures with next months' outcomes (lags 0 to 3), pooled and within
-- stores, Pearson and Spearman, each with n, a 95% interval (Fisher z) and a p-value.
-- Correlation is not causation; with three stores and two years the samples are small.
select
    driver,
    outcome,
    lag_months,
    scope,
    method,
    round(r, 3) as r,
    n,
    round(ci_low, 3) as ci_low,
    round(ci_high, 3) as ci_high,
    round(p_value, 4) as p_value,
    p_value < 0.05 as is_significant_5pct
from {{ source('analysis', 'engagement_correlations') }}
