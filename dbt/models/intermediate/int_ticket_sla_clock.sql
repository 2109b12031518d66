-- Per ticket and SLA policy (seed sla_policies): when the target falls due (breach_at), when
-- the metric was achieved (the first reply; the last solve of a ticket now solved or closed),
-- and the minutes elapsed on the policy's clock up to the achievement or, for a ticket still
-- waiting, up to the export's newest timestamp (as_of). A business-hours clock runs only inside
-- the opening hours (seed opening_hours) of days that are not holidays (seed holidays); the
-- other counts calendar minutes.
with tickets as (
    select ticket_id, created_at, first_reply_at, solved_at, status
    from {{ ref('stg_support__tickets') }}
),

as_of as (
    select max(greatest(created_at, coalesce(first_reply_at, created_at),
        coalesce(solved_at, created_at))) as as_of
    from tickets
),

clocks as (
    select
        t.ticket_id,
        p.metric,
        p.target_minutes,
        p.in_business_hours,
        t.created_at as started_at,
        case p.metric
            when 'first_reply' then t.first_reply_at
            when 'full_resolution' then case when t.status in ('solved', 'closed') then t.solved_at end
        end as achieved_at,
        a.as_of
    from tickets as t
    cross join {{ ref('sla_policies') }} as p
    cross join as_of as a
),

spans as (
    -- enough days to reach the target (60) or the end of the clock, whichever is later
    select
        ticket_id,
        metric,
        target_minutes,
        coalesce(achieved_at, as_of) as clock_end,
        started_at as span_start,
        greatest(coalesce(achieved_at, as_of), started_at + interval 60 day) as span_end
    from clocks
    where in_business_hours
),

windows as (
    {{ open_windows('spans') }}
),

open_time as (
    select
        ticket_id,
        metric,
        target_minutes,
        clock_end,
        greatest(window_start, span_start) as opened,
        window_end as closed
    from windows
    where window_end > greatest(window_start, span_start)
),

cumulative as (
    select
        *,
        date_diff('second', opened, closed) / 60.0 as minutes,
        coalesce(sum(date_diff('second', opened, closed) / 60.0) over (
            partition by ticket_id, metric order by opened
            rows between unbounded preceding and 1 preceding), 0) as minutes_before
    from open_time
),

business as (
    select
        ticket_id,
        metric,
        min(opened + to_microseconds(cast(round((target_minutes - minutes_before) * 60000000) as bigint)))
            filter (where minutes_before < target_minutes and minutes_before + minutes >= target_minutes)
            as breach_at,
        sum(greatest(0, date_diff('second', opened, least(closed, clock_end)))) / 60.0 as elapsed_minutes
    from cumulative
    group by ticket_id, metric
)

select
    c.ticket_id,
    c.metric,
    c.target_minutes,
    c.in_business_hours,
    c.started_at,
    c.achieved_at,
    c.as_of,
    case
        when c.in_business_hours then b.breach_at
        else c.started_at + to_minutes(c.target_minutes)
    end as breach_at,
    round(case
        when c.in_business_hours then coalesce(b.elapsed_minutes, 0)
        else greatest(0, date_diff('second', c.started_at, coalesce(c.achieved_at, c.as_of)) / 60.0)
    end, 1) as elapsed_minutes
from clocks as c
left join business as b using (ticket_id, metric)
