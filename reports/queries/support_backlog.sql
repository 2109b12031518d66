select day, opened, closed, open_at_end_of_day
from marts.kpi_support_backlog_daily
order by day
