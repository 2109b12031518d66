-- SLA attainment per month of ticket creation and target: tickets, those that missed the
-- target (including those still open past it) and the share met, all stores and per store.
select
    created_month as month,
    metric,
    case when grouping(store_id) = 1 then 'all' else store_id end as store_id,
    count(*) as tickets,
    count(*) filter (where is_breached) as breached,
    count(*) filter (where sla_status = 'open_breached') as open_breached,
    count(*) filter (where sla_status = 'open_within_target') as open_within_target,
    round(100.0 * count(*) filter (where not is_breached and sla_status = 'achieved')
        / nullif(count(*) filter (where sla_status in ('achieved', 'breached', 'open_breached')), 0), 1)
        as met_pct,
    max(target_minutes) as target_minutes,
    bool_and(in_business_hours) as in_business_hours
from {{ ref('fct_support_ticket_slas') }}
group by grouping sets ((created_month, metric), (created_month, metric, store_id))
