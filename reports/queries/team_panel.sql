select p.*, s.store_name
from marts.kpi_team_outcomes_panel as p
join marts.dim_stores as s using (store_id)
order by p.store_id, p.month
