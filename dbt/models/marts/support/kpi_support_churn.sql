-- Churn after a bad support experience: customers with a ticket rated 1-2 or whose rating
-- comment is negative (the ticket text itself is usually a complaint, so it says nothing about
-- the support), against customers whose support contacts were all fine, and against those who
-- never contacted support; churn = silent past the inactivity threshold (fct_customer_value).
-- Customers who contact support buy more often, so compare the first two groups.
with contacts as (
    select
        f.customer_key,
        coalesce(bool_or(f.csat_score <= 2 or s.label = 'negative'), false) as had_bad_experience
    from {{ ref('fct_support_tickets') }} as f
    left join {{ source('analysis', 'text_sentiment') }} as s
        on s.source = 'csat_comment' and s.text_id = f.ticket_id
    where f.customer_key is not null
    group by f.customer_key
)

select
    case when c.had_bad_experience then 'after a bad support experience'
         when c.customer_key is not null then 'support contacts all fine'
         else 'never contacted support' end as customer_group,
    count(*) as customers,
    count(*) filter (where v.is_churned_inactive) as churned,
    round(100.0 * count(*) filter (where v.is_churned_inactive) / count(*), 1) as churn_rate_pct,
    max(v.churn_threshold_days) as churn_threshold_days
from {{ ref('fct_customer_value') }} as v
left join contacts as c using (customer_key)
where v.orders > 0
group by all
