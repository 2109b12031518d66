-- Support experience per month of ticket creation. CSAT = share of ratings that are 4 or 5
-- on the 1-5 scale, with the number of ratings as its n.
select
    created_month as month,
    count(*) as tickets,
    count(first_reply_minutes) as replied_tickets,
    median(first_reply_minutes) as median_first_reply_minutes,
    median(full_resolution_minutes) as median_full_resolution_minutes,
    median(first_reply_business_minutes) as median_first_reply_business_minutes,
    median(full_resolution_business_minutes) as median_full_resolution_business_minutes,
    count(*) filter (where status in ('solved', 'closed')) as solved_tickets,
    round(100.0 * count(*) filter (where is_one_touch)
        / nullif(count(*) filter (where status in ('solved', 'closed')), 0), 1) as one_touch_pct,
    round(100.0 * count(*) filter (where reopens > 0)
        / nullif(count(*) filter (where status in ('solved', 'closed')), 0), 1) as reopened_pct,
    count(csat_score) as csat_ratings,
    count(*) filter (where is_csat_satisfied) as csat_satisfied,
    {{ csat_pct('csat_score') }} as csat_pct
from {{ ref('fct_support_tickets') }}
group by all
