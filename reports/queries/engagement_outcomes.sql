select * from marts.kpi_engagement_outcomes
order by driver, outcome, scope, method, lag_months
