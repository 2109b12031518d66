select
    ticket_id,
    customer_key,
    store_id,
    channel,
    created_at,
    cast(date_trunc('month', created_at) as date) as created_month,
    status,
    reopens,
    agent_key,
    date_diff('minute', created_at, first_reply_at) as first_reply_minutes,
    date_diff('minute', created_at, solved_at) as full_resolution_minutes,
    csat_score,
    case when csat_score is null then null else csat_score >= 4 end as is_csat_satisfied,
    subject,
    description,
    csat_comment
from {{ ref('stg_support__tickets') }}
