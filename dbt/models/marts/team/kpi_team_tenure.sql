-- Tenure of current employees and of leavers (time from hire to the end of the data or to
-- leaving), in bands.
with dates as (
    select observation_end from {{ ref('int_clv_dates') }}
),

tenure as (
    select
        e.store_id,
        case when e.termination_date is null then 'current' else 'left' end as status,
        {{ units_between('day', "e.hire_date", "coalesce(e.termination_date, d.observation_end)") }} as days
    from {{ ref('dim_employees') }} as e
    cross join dates as d
)

select
    status,
    case
        when days < 90 then '1: under 3 months'
        when days < 365 then '2: 3-12 months'
        when days < 730 then '3: 1-2 years'
        when days < 1825 then '4: 2-5 years'
        else '5: 5 years and more'
    end as tenure_band,
    count(*) as employees,
    round(median(days) / 30.4, 1) as median_months
from tenure
group by all
order by status, tenure_band
