select * from marts.kpi_team_tenure order by status, tenure_band
