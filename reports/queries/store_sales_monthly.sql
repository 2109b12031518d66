select m.month, s.store_name, m.net_revenue, m.payments, m.active_customers
from marts.kpi_store_monthly_sales as m
join marts.dim_stores as s using (store_id)
order by m.month, s.store_name
