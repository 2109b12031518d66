select h.*, s.store_name
from marts.rpt_journey_hotspots as h
left join marts.dim_stores as s using (store_id)
order by h.month, h.hotspot_rank
