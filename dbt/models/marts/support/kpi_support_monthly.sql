-- Support experience per month of ticket creation. CSAT = share of ratings that are 4 or 5
-- on the 1-5 scale, with the number of ratings as its n.
select
    created_month as month,
    {{ support_experience_measures() }},
    count(*) filter (where is_csat_satisfied) as csat_satisfied
from {{ ref('fct_support_tickets') }}
group by all
