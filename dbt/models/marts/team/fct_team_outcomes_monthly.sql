-- The store-month panel behind the engagement-and-outcomes analysis: team measures next to
-- sales, NPS and CSAT of the same store and month. Engagement is null where the group was too
-- small to report; NPS is null where the month had fewer responses than the minimum n.
with csat as (
    select store_id, created_month as month, count(csat_score) as csat_ratings,
           {{ csat_pct('csat_score') }} as csat_pct
    from {{ ref('fct_support_tickets') }}
    where store_id is not null
    group by all
)

select
    t.store_id,
    t.month,
    t.engagement_index,
    t.enps,
    t.survey_responses,
    t.absence_rate_pct,
    t.turnover_rate_pct,
    s.net_revenue,
    s.payments,
    n.nps,
    n.responses as nps_responses,
    c.csat_pct,
    coalesce(c.csat_ratings, 0) as csat_ratings
from {{ ref('kpi_team_monthly') }} as t
left join {{ ref('kpi_store_monthly_sales') }} as s using (store_id, month)
left join {{ ref('kpi_nps_breakdown') }} as n
    on n.breakdown = 'store_month' and n.store_id = t.store_id and n.month = t.month
left join csat as c on c.store_id = t.store_id and c.month = t.month
