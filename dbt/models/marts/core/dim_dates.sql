-- One row per calendar day from the first month with activity in any source to the end of the
-- last: join any dated mart to it for a week, quarter or financial-year breakdown.
with bounds as (
    select min(month) as first_month, max(month) as last_month
    from {{ ref('int_store_months_spined') }}
),

fiscal as (
    select coalesce(max(fiscal_year_start_month), 1) as start_month
    from {{ source('profile', 'business') }}
),

days as (
    select cast(d as date) as date_day
    from bounds,
        range(
            cast(bounds.first_month as timestamp),
            cast(bounds.last_month + interval 1 month as timestamp),
            interval 1 day
        ) as r(d)
)

select
    date_day,
    cast(isodow(date_day) as integer) as day_of_week,
    dayname(date_day) as day_name,
    isodow(date_day) >= 6 as is_weekend,
    cast(date_trunc('week', date_day) as date) as week_start,
    cast(yearweek(date_day) as integer) as iso_year_week,
    cast(date_trunc('month', date_day) as date) as month,
    cast(date_trunc('quarter', date_day) as date) as quarter,
    cast(year(date_day) as integer) as year,
    {{ fiscal_year("cast(date_trunc('month', date_day) as date)", '(select start_month from fiscal)') }} as fiscal_year,
    {{ fiscal_quarter("cast(date_trunc('month', date_day) as date)", '(select start_month from fiscal)') }} as fiscal_quarter
from days
