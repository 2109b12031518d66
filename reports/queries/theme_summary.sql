select * from marts.kpi_theme_summary order by position
