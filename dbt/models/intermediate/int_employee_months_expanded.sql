-- One row per employee and month of employment at their store: the base of headcount,
-- turnover and scheduled hours. Scheduled hours = contracted weekly hours / 5 for every
-- weekday (Monday to Friday) employed in the month.
with months as (
    select distinct month, month_end from {{ ref('int_store_months_spined') }}
),

weekdays as (
    select cast(day as date) as day
    from (
        select {{ date_series('min(month)', 'max(month_end)') }} as day
        from months
    )
    where {{ iso_dow("day") }} <= 5
),

employee_months as (
    select
        e.employee_key,
        e.store_id,
        e.role,
        e.hire_date,
        e.termination_date,
        e.termination_reason,
        e.weekly_hours,
        m.month,
        m.month_end
    from {{ ref('stg_hr__employees') }} as e
    inner join months as m
        on e.hire_date <= m.month_end
       and (e.termination_date is null or e.termination_date >= m.month)
),

worked as (
    select em.employee_key, em.month, count(w.day) as weekdays_employed
    from employee_months as em
    left join weekdays as w
        on w.day between greatest(em.month, em.hire_date)
                     and least(em.month_end, coalesce(em.termination_date, em.month_end))
    group by em.employee_key, em.month
)

select
    em.*,
    em.hire_date < em.month as employed_at_start,
    em.termination_date is null or em.termination_date > em.month_end as employed_at_end,
    em.hire_date between em.month and em.month_end as hired_in_month,
    coalesce(em.termination_date between em.month and em.month_end, false) as left_in_month,
    w.weekdays_employed,
    cast(w.weekdays_employed * em.weekly_hours / 5 as decimal(12, 3)) as scheduled_hours
from employee_months as em
inner join worked as w using (employee_key, month)
