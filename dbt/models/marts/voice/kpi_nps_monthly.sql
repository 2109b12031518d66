-- NPS = % promoters (9-10) - % detractors (0-6), per store and month, with its n.
select
    store_id,
    response_month as month,
    count(*) as responses,
    count(*) filter (where nps_category = 'promoter') as promoters,
    count(*) filter (where nps_category = 'passive') as passives,
    count(*) filter (where nps_category = 'detractor') as detractors,
    {{ nps('score') }} as nps
from {{ ref('fct_nps_responses') }}
group by all
