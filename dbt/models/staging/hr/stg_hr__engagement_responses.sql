with latest as (
    {{ latest_per_key(source('raw', 'hr_engagement_responses'), 'response_id') }}
)

select
    response_id,
    survey_month,
    store_id,
    -- a key of its own, which no employee key equals: answers cannot be joined to dim_employees
    {{ hash_key("'pulse-survey|' || employee_id") }} as respondent_key,
    item_valued,
    item_listened_to,
    item_tools,
    item_growth,
    item_workload,
    enps_score,
    {{ redact_contacts("comment") }} as comment,
    _batch_id as batch_id
from latest
