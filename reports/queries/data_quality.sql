select * from marts.kpi_data_quality order by source
