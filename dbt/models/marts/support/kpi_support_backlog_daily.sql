-- The daily backlog: tickets opened and closed each day and those still open at its end, from
-- the first ticket to the export's newest day. From the flat ticket exports a ticket counts as
-- open from its creation to its last solve (a ticket reopened and solved again is open in
-- between too), and one that is open now stays open to the end.
with tickets as (
    select
        ticket_id,
        cast(created_at as date) as opened_on,
        case when status in ('solved', 'closed') then cast(solved_at as date) end as closed_on
    from {{ ref('stg_support__tickets') }}
),

days as (
    select {{ date_series('(select min(opened_on) from tickets)',
                          '(select greatest(max(opened_on), max(closed_on)) from tickets)') }} as day
),

moves as (
    select opened_on as day, 1 as opened, 0 as closed from tickets
    union all
    select closed_on, 0, 1 from tickets where closed_on is not null
),

daily as (
    select day, sum(opened) as opened, sum(closed) as closed from moves group by day
)

select
    d.day,
    cast(coalesce(m.opened, 0) as integer) as opened,
    cast(coalesce(m.closed, 0) as integer) as closed,
    cast(sum(coalesce(m.opened, 0) - coalesce(m.closed, 0)) over (order by d.day) as integer)
        as open_at_end_of_day
from days as d
left join daily as m using (day)
