select t.*, s.store_name
from marts.kpi_team_monthly as t
join marts.dim_stores as s using (store_id)
order by t.month, s.store_name
