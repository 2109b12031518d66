select * from marts.kpi_support_churn order by customer_group
