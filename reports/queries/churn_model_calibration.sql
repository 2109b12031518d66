select method, bin, customers, mean_predicted, observed_rate
from marts.kpi_churn_model_calibration
where method in ('voice_and_purchases', 'p_alive')
order by method, bin
