select source, last_data_date, rows, latest_file_loaded_at
from marts.kpi_source_freshness
order by source
