select days, survival, survival_low, survival_high, n_at_risk from marts.kpi_churn_survival order by days
