select * from marts.kpi_customer_value_summary
