select k.month, k.metric, k.store_id,
       case when k.store_id = 'all' then 'All stores'
            else coalesce(s.store_name, k.store_id, 'No store given') end as store_name,
       k.tickets, k.breached, k.open_breached, k.open_within_target, k.met_pct,
       k.target_minutes, k.in_business_hours
from marts.kpi_support_sla_monthly as k
left join marts.dim_stores as s on s.store_id = k.store_id
order by k.month, k.metric, k.store_id
