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
    -- every day of the last month too: up to the day before the month after it
    select {{ date_series('first_month', minus_days('cast(last_month + interval 1 month as date)', 1)) }} as date_day
    from bounds
)

select
    date_day,
    cast({{ iso_dow("date_day") }} as integer) as day_of_week,
    {{ day_name("date_day") }} as day_name,
    {{ iso_dow("date_day") }} >= 6 as is_weekend,
    cast(date_trunc('week', date_day) as date) as week_start,
    cast({{ iso_year_week('date_day') }} as integer) as iso_year_week,
    cast(date_trunc('month', date_day) as date) as month,
    cast(date_trunc('quarter', date_day) as date) as quarter,
    cast(year(date_day) as integer) as year,
    {{ fiscal_year("cast(date_trunc('month', date_day) as date)", '(select start_month from fiscal)') }} as fiscal_year,
    {{ fiscal_quarter("cast(date_trunc('month', date_day) as date)", '(select start_month from fiscal)') }} as fiscal_quarter
from days
