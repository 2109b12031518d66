select * from marts.kpi_definitions
