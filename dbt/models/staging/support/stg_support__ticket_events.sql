with latest as (
    {{ latest_per_key(source('raw', 'support_ticket_events'), 'event_id') }}
)

select
    event_id,
    ticket_id,
    event_at,
    event_type,
    status,
    {{ hash_key('assignee_id') }} as agent_key,
    assignee_id is null and event_type = 'assignee' as is_unassigned,
    author_role,
    coalesce(is_public, true) as is_public,
    _batch_id as batch_id
from latest
