with latest as (
    {{ latest_per_key(source('raw', 'support_tickets'), 'ticket_id') }}
)

select
    ticket_id,
    {{ hash_key('customer_id') }} as customer_key,
    store_id,
    channel,
    created_at,
    first_reply_at,
    solved_at,
    status,
    reopens,
    agent_replies,
    {{ hash_key('agent_id') }} as agent_key,
    {{ redact_contacts("subject") }} as subject,
    {{ redact_contacts("description") }} as description,
    csat_score,
    {{ csat_satisfied('csat_score') }} as is_csat_satisfied,
    {{ redact_contacts("csat_comment") }} as csat_comment,
    _batch_id as batch_id
from latest
