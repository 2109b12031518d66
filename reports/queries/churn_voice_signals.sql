select signal, signal_label, customers_with, churn_rate_with, churn_rate_without, risk_ratio,
       risk_ratio_ci_low, risk_ratio_ci_high, goes_with_leaving
from marts.kpi_churn_voice_signals
order by goes_with_leaving desc, risk_ratio desc nulls last, signal
