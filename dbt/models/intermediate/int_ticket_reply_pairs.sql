-- The customer's questions after a first answer and the agent's next reply
-- (stg_support__ticket_events): every public comment by the requester that follows a public
-- agent comment (a run of customer comments counts once, from its first), paired with the
-- next public agent comment, if any yet.
with comments as (
    select ticket_id, event_id, event_at, author_role
    from {{ ref('stg_support__ticket_events') }}
    where event_type = 'comment' and is_public and author_role in ('agent', 'requester')
),

ordered as (
    select
        *,
        lag(author_role) over (partition by ticket_id order by event_at, event_id) as previous_role
    from comments
)

select
    q.ticket_id,
    q.event_id as asked_event_id,
    q.event_at as asked_at,
    min(a.event_at) as replied_at
from ordered as q
left join comments as a
    on a.ticket_id = q.ticket_id and a.author_role = 'agent' and a.event_at > q.event_at
where q.author_role = 'requester' and q.previous_role = 'agent'
group by q.ticket_id, q.event_id, q.event_at
