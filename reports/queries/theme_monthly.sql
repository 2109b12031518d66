select * from marts.kpi_theme_monthly order by month, theme
