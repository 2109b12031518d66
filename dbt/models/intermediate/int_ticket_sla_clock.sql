-- Per ticket, SLA policy (seed sla_policies) and instance (the ticket, or for next_reply each
-- customer question): when the target falls due (breach_at), when the clock's goal was
-- achieved, and the minutes on the clock up to the achievement or, while waiting, up to the
-- newest timestamp of the exports (as_of). Clocks, as dbt_zendesk defines them:
--   first_reply      creation -> first public agent reply
--   full_resolution  creation -> last solve of a ticket now solved or closed
--   next_reply       a customer's question after an answer -> the agent's next public reply
--                    (or the solve, for a question the solve answered)
--   requester_wait   time in the statuses new, open and hold (needs the ticket events)
--   agent_work       time in the statuses new and open (needs the ticket events)
-- A business-hours clock runs only inside the opening hours (seed opening_hours) of days that
-- are not holidays (seed holidays); the others count calendar minutes.
with tickets as (
    select ticket_id, created_at, first_reply_at, solved_at, status
    from {{ ref('stg_support__tickets') }}
),

spans_in_status as (
    select * from {{ ref('int_ticket_status_spans') }}
),

as_of as (
    select greatest(
        (select max(greatest(created_at, coalesce(first_reply_at, created_at),
            coalesce(solved_at, created_at))) from tickets),
        (select max(as_of) from spans_in_status)
    ) as as_of
),

pieces as (
    -- the stretches of time a clock runs; an open end (null) runs on until achieved
    select ticket_id, 'first_reply' as metric, ticket_id as instance_id,
        created_at as piece_start, cast(null as timestamp) as piece_end, first_reply_at as achieved_at
    from tickets
    union all
    select ticket_id, 'full_resolution', ticket_id, created_at, null,
        case when status in ('solved', 'closed') then solved_at end
    from tickets
    union all
    -- a question left unanswered stops the clock when the ticket is solved (as a help desk's
    -- next-reply target pauses on solve)
    select r.ticket_id, 'next_reply', r.asked_event_id, r.asked_at, null,
        coalesce(r.replied_at, case when t.status in ('solved', 'closed') and t.solved_at >= r.asked_at
            then t.solved_at end)
    from {{ ref('int_ticket_reply_pairs') }} as r
    left join tickets as t on t.ticket_id = r.ticket_id
    union all
    select
        s.ticket_id,
        m.metric,
        s.ticket_id,
        s.valid_from,
        case when s.is_current then null else s.valid_to end,
        case when t.status in ('solved', 'closed') then t.solved_at end
    from spans_in_status as s
    inner join (values
        ('requester_wait', 'new'), ('requester_wait', 'open'), ('requester_wait', 'hold'),
        ('agent_work', 'new'), ('agent_work', 'open')
    ) as m (metric, status) on m.status = s.status
    left join tickets as t on t.ticket_id = s.ticket_id
),

clocks as (
    select
        p.*,
        pol.target_minutes,
        pol.in_business_hours,
        a.as_of,
        coalesce(p.achieved_at, a.as_of) as stop_at,
        -- an open piece is scanned far enough to find when the target falls due
        coalesce(p.piece_end, greatest(coalesce(p.achieved_at, a.as_of), p.piece_start) + interval 60 day)
            as scan_end
    from pieces as p
    inner join {{ ref('sla_policies') }} as pol on pol.metric = p.metric
    cross join as_of as a
),

spans as (
    select *, piece_start as span_start, scan_end as span_end
    from clocks
    where in_business_hours
),

windows as (
    {{ open_windows('spans') }}
),

running as (
    select
        ticket_id, metric, instance_id, target_minutes, stop_at,
        greatest(window_start, span_start) as opened,
        least(window_end, span_end) as closed
    from windows
    where least(window_end, span_end) > greatest(window_start, span_start)
    union all
    select ticket_id, metric, instance_id, target_minutes, stop_at, piece_start, scan_end
    from clocks
    where not in_business_hours and scan_end > piece_start
),

cumulative as (
    select
        *,
        {{ units_between('second', "opened", "closed") }} / 60e0 as minutes,
        coalesce(sum({{ units_between('second', "opened", "closed") }} / 60e0) over (
            partition by ticket_id, metric, instance_id order by opened
            rows between unbounded preceding and 1 preceding), 0) as minutes_before
    from running
),

measured as (
    select
        ticket_id,
        metric,
        instance_id,
        min({{ plus_microseconds('opened', 'cast(round((target_minutes - minutes_before) * 60000000) as bigint)') }})
            filter (where minutes_before < target_minutes and minutes_before + minutes >= target_minutes)
            as breach_at,
        sum(greatest(0, {{ units_between('second', "opened", "least(closed, stop_at)") }})) / 60e0 as elapsed_minutes
    from cumulative
    group by ticket_id, metric, instance_id
),

instances as (
    select
        ticket_id,
        metric,
        instance_id,
        any_value(target_minutes) as target_minutes,
        any_value(in_business_hours) as in_business_hours,
        min(piece_start) as started_at,
        any_value(achieved_at) as achieved_at,
        any_value(as_of) as as_of
    from clocks
    group by ticket_id, metric, instance_id
)

select
    i.ticket_id,
    i.metric,
    i.instance_id,
    i.target_minutes,
    i.in_business_hours,
    i.started_at,
    i.achieved_at,
    i.as_of,
    m.breach_at,
    round(coalesce(m.elapsed_minutes, 0), 1) as elapsed_minutes
from instances as i
left join measured as m using (ticket_id, metric, instance_id)
