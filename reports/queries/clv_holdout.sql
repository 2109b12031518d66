select * from marts.kpi_clv_holdout_check order by calibration_repeat_purchases
