{#- The opening-hours windows of every day a span touches: per row of the relation `spans`
    (columns span_start, span_end and any others, kept), one row per day from span_start's day
    to span_end's day that the support desk is open (seed opening_hours) and that is not a
    holiday (seed holidays), with that day's window_start and window_end. -#}
{% macro open_windows(spans) -%}
    with span_days as (
        select
            *,
            {{ date_series('cast(span_start as date)', 'cast(span_end as date)') }} as day
        from {{ spans }}
        where span_end >= span_start
    )
    select
        span_days.*,
        {{ at_time_of_day('span_days.day', 'h.opens') }} as window_start,
        {{ at_time_of_day('span_days.day', 'h.closes') }} as window_end
    from span_days
    inner join {{ ref('opening_hours') }} as h on h.isodow = {{ iso_dow('span_days.day') }}
    where span_days.day not in (select holiday_date from {{ ref('holidays') }})
{%- endmacro %}

{#- Seconds of a row of open_windows() inside its span (0 when the window misses it). -#}
{% macro seconds_in_window() -%}
    greatest(0, {{ units_between('second', "greatest(span_start, window_start)", "least(span_end, window_end)") }})
{%- endmacro %}
