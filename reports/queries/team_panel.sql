select p.*, s.store_name
from marts.fct_team_outcomes_monthly as p
join marts.dim_stores as s using (store_id)
order by p.store_id, p.month
