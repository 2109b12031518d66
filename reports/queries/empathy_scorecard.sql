select * from marts.kpi_empathy_scorecard order by month, component
