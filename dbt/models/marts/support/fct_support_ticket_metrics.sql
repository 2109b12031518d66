-- Every ticket measured the way help desks measure it (Fivetran's dbt_zendesk), in calendar and
-- in business minutes (opening hours less holidays): first reply, next replies, first and full
-- resolution, requester wait (new, open, hold), agent wait (pending), agent work (new, open),
-- on hold, touches, reopens, assignees and hand-offs. The measures that need the status history
-- come from the ticket events export and are empty without it (has_event_history false); the
-- others fall back to the tickets file.
with tickets as (
    select * from {{ ref('fct_support_tickets') }}
),

events as (
    select * from {{ ref('stg_support__ticket_events') }}
),

status_spans as (
    select
        ticket_id,
        status,
        valid_from as span_start,
        valid_to as span_end
    from {{ ref('int_ticket_status_spans') }}
),

status_windows as (
    {{ open_windows('status_spans') }}
),

status_business as (
    select
        ticket_id,
        status,
        sum({{ seconds_in_window() }}) / 60e0 as business_minutes
    from status_windows
    group by ticket_id, status
),

status_minutes as (
    select
        s.ticket_id,
        s.status,
        sum({{ units_between('second', "s.span_start", "s.span_end") }}) / 60e0 as calendar_minutes
    from status_spans as s
    group by s.ticket_id, s.status
),

per_status as (
    select
        m.ticket_id,
        {% for status in ['new', 'open', 'pending', 'hold'] -%}
        sum(m.calendar_minutes) filter (where m.status = '{{ status }}') as {{ status }}_minutes,
        sum(b.business_minutes) filter (where m.status = '{{ status }}') as {{ status }}_business_minutes,
        {% endfor -%}
        count(*) as statuses_seen
    from status_minutes as m
    left join status_business as b using (ticket_id, status)
    group by m.ticket_id
),

reply_spans as (
    select ticket_id, asked_event_id, asked_at as span_start, replied_at as span_end
    from {{ ref('int_ticket_reply_pairs') }}
    where replied_at is not null
),

reply_windows as (
    {{ open_windows('reply_spans') }}
),

reply_business as (
    select
        ticket_id,
        asked_event_id,
        sum({{ seconds_in_window() }}) / 60e0 as business_minutes
    from reply_windows
    group by ticket_id, asked_event_id
),

next_replies as (
    select
        r.ticket_id,
        count(*) as next_replies,
        avg({{ units_between('second', "r.span_start", "r.span_end") }} / 60e0) as avg_next_reply_minutes,
        max({{ units_between('second', "r.span_start", "r.span_end") }} / 60e0) as max_next_reply_minutes,
        avg(coalesce(b.business_minutes, 0)) as avg_next_reply_business_minutes,
        max(coalesce(b.business_minutes, 0)) as max_next_reply_business_minutes
    from reply_spans as r
    left join reply_business as b using (ticket_id, asked_event_id)
    group by r.ticket_id
),

history as (
    select
        ticket_id,
        min(event_at) filter (where event_type = 'comment' and is_public and author_role = 'agent')
            as first_agent_reply_at,
        count(*) filter (where event_type = 'comment' and is_public and author_role = 'agent')
            as public_agent_replies,
        min(event_at) filter (where event_type = 'status' and status = 'solved') as first_solved_at,
        count(distinct agent_key) filter (where event_type = 'assignee') as assignees
    from events
    group by ticket_id
),

assignments as (
    select
        ticket_id,
        agent_key,
        lag(agent_key) over (partition by ticket_id order by event_at, event_id) as previous_agent_key,
        row_number() over (partition by ticket_id order by event_at, event_id) as n
    from events
    where event_type = 'assignee'
),

handoffs as (
    select ticket_id, count(*) filter (where n > 1 and agent_key is distinct from previous_agent_key) as handoffs
    from assignments
    group by ticket_id
),

reopenings as (
    select ticket_id, count(*) filter (where previous_status = 'solved' and status not in ('solved', 'closed'))
        as reopens
    from (
        select
            ticket_id,
            status,
            lag(status) over (partition by ticket_id order by event_at, event_id) as previous_status
        from events
        where event_type = 'status' and status is not null
    )
    group by ticket_id
),

resolution_spans as (
    select ticket_id, created_at as span_start, first_solved_at as span_end
    from tickets
    inner join history using (ticket_id)
    where first_solved_at >= created_at
),

resolution_windows as (
    {{ open_windows('resolution_spans') }}
),

first_resolution_business as (
    select
        ticket_id,
        sum({{ seconds_in_window() }}) / 60e0 as business_minutes
    from resolution_windows
    group by ticket_id
)

select
    t.ticket_id,
    t.store_id,
    t.channel,
    t.created_at,
    t.created_month,
    t.status,
    t.agent_key,
    h.ticket_id is not null as has_event_history,
    t.first_reply_minutes,
    t.first_reply_business_minutes,
    case when h.first_solved_at >= t.created_at
        then {{ units_between('minute', "t.created_at", "h.first_solved_at") }} end as first_resolution_minutes,
    case when h.first_solved_at >= t.created_at
        then round(coalesce(fr.business_minutes, 0), 1) end as first_resolution_business_minutes,
    t.full_resolution_minutes,
    t.full_resolution_business_minutes,
    {%- set measures = {
        'requester_wait': ['new', 'open', 'hold'],
        'agent_wait': ['pending'],
        'agent_work': ['new', 'open'],
        'on_hold': ['hold'],
    } %}
    {%- for measure, statuses in measures.items() %}
    {%- for unit in ['minutes', 'business_minutes'] %}
    case when s.ticket_id is not null then round(
        {%- for status in statuses %} coalesce(s.{{ status }}_{{ unit }}, 0){% if not loop.last %} +{% endif %}{% endfor %}, 1)
    end as {{ measure }}_{{ unit }},
    {%- endfor %}
    {%- endfor %}
    case when h.ticket_id is not null then coalesce(n.next_replies, 0) end as next_replies,
    round(n.avg_next_reply_minutes, 1) as avg_next_reply_minutes,
    round(n.max_next_reply_minutes, 1) as max_next_reply_minutes,
    round(n.avg_next_reply_business_minutes, 1) as avg_next_reply_business_minutes,
    round(n.max_next_reply_business_minutes, 1) as max_next_reply_business_minutes,
    coalesce(h.public_agent_replies, t.agent_replies) as agent_replies,
    case
        when t.status not in ('solved', 'closed') then null
        when coalesce(h.public_agent_replies, t.agent_replies) is null then null
        when coalesce(h.public_agent_replies, t.agent_replies) = 0 then 'no_touch'
        when coalesce(h.public_agent_replies, t.agent_replies) = 1 then 'one_touch'
        when coalesce(h.public_agent_replies, t.agent_replies) = 2 then 'two_touch'
        else 'multi_touch'
    end as touches,
    coalesce(r.reopens, t.reopens) as reopens,
    h.assignees,
    ho.handoffs
from tickets as t
left join history as h using (ticket_id)
left join per_status as s using (ticket_id)
left join next_replies as n using (ticket_id)
left join handoffs as ho using (ticket_id)
left join reopenings as r using (ticket_id)
left join first_resolution_business as fr using (ticket_id)
