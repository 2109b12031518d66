select b.*, s.store_name
from marts.kpi_nps_breakdown as b
left join marts.dim_stores as s using (store_id)
order by breakdown, store_name, month, touchpoint
