select * from marts.kpi_company_monthly order by month
