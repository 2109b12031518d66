select * from marts.kpi_support_monthly order by month
