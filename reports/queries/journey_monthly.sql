select j.*, s.store_name
from marts.kpi_journey_monthly as j
left join marts.dim_stores as s using (store_id)
order by j.month, j.stage_position, j.scope, j.store_id
