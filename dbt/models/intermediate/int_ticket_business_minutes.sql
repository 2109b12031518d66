-- Support times in business minutes: only the time inside the opening hours (seed
-- opening_hours) of days that are not holidays (seed holidays) counts, from ticket creation to
-- the first reply and to the last solve.
with spans as (
    select ticket_id, 'first_reply' as span, created_at as span_start, first_reply_at as span_end
    from {{ ref('stg_support__tickets') }}
    where first_reply_at is not null and first_reply_at >= created_at
    union all
    select ticket_id, 'resolution', created_at, solved_at
    from {{ ref('stg_support__tickets') }}
    where solved_at is not null and solved_at >= created_at
),

windows as (
    {{ open_windows('spans') }}
),

open_time as (
    select
        ticket_id,
        span,
        {{ seconds_in_window() }} as seconds
    from windows
),

per_span as (
    -- a span entirely outside the opening hours has no window: 0 minutes
    select s.ticket_id, s.span, coalesce(sum(o.seconds), 0) as seconds
    from spans as s
    left join open_time as o using (ticket_id, span)
    group by s.ticket_id, s.span
)

select
    ticket_id,
    max(round(seconds / 60.0, 1)) filter (where span = 'first_reply') as first_reply_business_minutes,
    max(round(seconds / 60.0, 1)) filter (where span = 'resolution') as full_resolution_business_minutes
from per_span
group by ticket_id
