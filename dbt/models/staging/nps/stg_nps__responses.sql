with latest as (
    {{ latest_per_key(source('raw', 'nps_responses'), 'response_id') }}
)

select
    response_id,
    {{ hash_key('customer_id') }} as customer_key,
    responded_at,
    cast(date_trunc('month', responded_at) as date) as response_month,
    store_id,
    touchpoint,
    score,
    {{ nps_category('score') }} as nps_category,
    {{ redact_contacts("comment") }} as comment,
    effort_score,
    {{ ces_easy('effort_score') }} as is_effort_easy,
    _batch_id as batch_id
from latest
