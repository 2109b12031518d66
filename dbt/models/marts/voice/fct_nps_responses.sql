select
    response_id,
    customer_key,
    responded_at,
    response_month,
    store_id,
    touchpoint,
    score,
    nps_category,
    comment,
    effort_score,
    is_effort_easy
from {{ ref('stg_nps__responses') }}
