-- Support experience per month of ticket creation. CSAT = share of ratings that are 4 or 5
-- on the 1-5 scale, with the number of ratings as its n.
select
    created_month as month,
    count(*) as tickets,
    count(first_reply_minutes) as replied_tickets,
    median(first_reply_minutes) as median_first_reply_minutes,
    median(full_resolution_minutes) as median_full_resolution_minutes,
    count(csat_score) as csat_ratings,
    count(*) filter (where is_csat_satisfied) as csat_satisfied,
    {{ csat_pct('csat_score') }} as csat_pct
from {{ ref('fct_support_tickets') }}
group by all
