-- Churn after a bad support experience: customers with a ticket rated 1-2 or written in a
-- negative tone, against the other customers who bought; churn = silent past the inactivity
-- threshold (fct_customer_value).
with bad as (
    select distinct f.customer_key
    from {{ ref('fct_support_tickets') }} as f
    left join {{ source('models', 'text_sentiment') }} as s
        on s.source = 'ticket' and s.text_id = f.ticket_id
    where f.customer_key is not null and (f.csat_score <= 2 or s.label = 'negative')
)

select
    case when b.customer_key is not null then 'after a bad support experience'
         else 'all other customers' end as customer_group,
    count(*) as customers,
    count(*) filter (where v.is_churned_inactive) as churned,
    round(100.0 * count(*) filter (where v.is_churned_inactive) / count(*), 1) as churn_rate_pct,
    any_value(v.churn_threshold_days) as churn_threshold_days
from {{ ref('fct_customer_value') }} as v
left join bad as b using (customer_key)
where v.orders > 0
group by all
