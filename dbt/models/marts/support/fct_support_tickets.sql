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
    b.first_reply_business_minutes,
    b.full_resolution_business_minutes,
    agent_replies,
    status in ('solved', 'closed') and agent_replies = 1 and reopens = 0 as is_one_touch,
    solved_at,
    csat_score,
    is_csat_satisfied,
    subject,
    description,
    csat_comment
from {{ ref('stg_support__tickets') }}
left join {{ ref('int_ticket_business_minutes') }} as b using (ticket_id)
