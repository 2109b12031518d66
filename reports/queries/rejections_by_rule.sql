select * from marts.kpi_rejections_by_rule order by rows_rejected desc, source, column_name, rule
