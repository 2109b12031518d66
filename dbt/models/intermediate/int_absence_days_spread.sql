-- One row per absence record and day it covers, with the hours of that day, so that absence
-- figures per month stay right when an episode (a week of sick leave, a fortnight's holiday)
-- crosses months or is exported as one record.
--   A one-day record stays on its day.
--   An episode is spread over the employee's scheduled days between its first and last day:
--   the weekdays (Monday to Friday) of employment, as in scheduled hours; an episode with no
--   such day (a weekend) is spread over all its days.
--   Hours per day: the record's hours / its days spread over; when the export gives days
--   instead of hours, days x the employee's daily scheduled hours (weekly hours / 5) / the
--   days spread over.
with absences as (
    select
        a.*,
        e.weekly_hours,
        e.hire_date,
        e.termination_date
    from {{ ref('stg_hr__absences') }} as a
    left join {{ ref('stg_hr__employees') }} as e using (employee_key)
),

days as (
    select
        a.absence_id,
        {{ date_series('a.absence_date', 'a.end_date') }} as day
    from absences as a
),

flagged as (
    select
        d.absence_id,
        d.day,
        not a.is_episode
            or (
                {{ iso_dow("d.day") }} <= 5
                and (a.hire_date is null or d.day >= a.hire_date)
                and (a.termination_date is null or d.day <= a.termination_date)
            ) as is_scheduled
    from days as d
    inner join absences as a using (absence_id)
),

chosen as (
    -- the scheduled days; all days of an episode that has none
    select absence_id, day
    from flagged
    where is_scheduled
       or absence_id not in (select absence_id from flagged where is_scheduled)
),

counted as (
    select absence_id, day, count(*) over (partition by absence_id) as days_spread
    from chosen
)

select
    a.absence_id,
    a.employee_key,
    c.day as absence_day,
    cast(date_trunc('month', c.day) as date) as absence_month,
    a.absence_type,
    a.is_planned_leave,
    c.days_spread,
    cast(
        coalesce(a.hours, a.days * a.weekly_hours / 5) / c.days_spread as decimal(12, 4)
    ) as hours
from counted as c
inner join absences as a using (absence_id)
