-- Each ticket's history as spans of one status (stg_support__ticket_events): from a status
-- change to the next one; the current status runs to the event export's newest timestamp
-- (as_of), except closed, which ends the history.
with changes as (
    select ticket_id, event_id, event_at, status
    from {{ ref('stg_support__ticket_events') }}
    where event_type = 'status' and status is not null
),

as_of as (
    select max(event_at) as as_of from {{ ref('stg_support__ticket_events') }}
),

ordered as (
    select
        *,
        lead(event_at) over (partition by ticket_id order by event_at, event_id) as next_change_at
    from changes
)

select
    o.ticket_id,
    o.status,
    o.event_at as valid_from,
    case
        when o.next_change_at is not null then o.next_change_at
        when o.status = 'closed' then o.event_at
        else greatest(o.event_at, a.as_of)
    end as valid_to,
    o.next_change_at is null as is_current,
    a.as_of
from ordered as o
cross join as_of as a
