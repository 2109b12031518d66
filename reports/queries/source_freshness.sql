select source, last_data_date, rows, latest_file_loaded_at, expected_every_days, late_after_days
from marts.kpi_source_freshness
order by source
