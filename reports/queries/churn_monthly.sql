select c.month, coalesce(s.store_name, 'No home store') as store_name, c.churn_rate_pct, c.active_at_start
from marts.kpi_churn_monthly as c
left join marts.dim_stores as s using (store_id)
order by c.month, store_name
