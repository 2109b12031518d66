-- Support times in business minutes: only the time inside the opening hours (seed
-- opening_hours) counts, from ticket creation to the first reply and to the last solve.
with spans as (
    select ticket_id, 'first_reply' as span, created_at as span_start, first_reply_at as span_end
    from {{ ref('stg_support__tickets') }}
    where first_reply_at is not null and first_reply_at >= created_at
    union all
    select ticket_id, 'resolution', created_at, solved_at
    from {{ ref('stg_support__tickets') }}
    where solved_at is not null and solved_at >= created_at
),

days as (
    select
        spans.*,
        cast(unnest(generate_series(cast(span_start as date), cast(span_end as date), interval 1 day)) as date)
            as day
    from spans
),

open_time as (
    -- days without opening hours (not in the seed) contribute nothing
    select
        d.ticket_id,
        d.span,
        greatest(0, date_diff('second',
            greatest(d.span_start, d.day + h.opens),
            least(d.span_end, d.day + h.closes))) as seconds
    from days as d
    inner join {{ ref('opening_hours') }} as h on h.isodow = isodow(d.day)
),

per_span as (
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
