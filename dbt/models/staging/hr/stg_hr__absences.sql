with latest as (
    {{ latest_per_key(source('raw', 'hr_absences'), 'absence_id') }}
)

select
    absence_id,
    {{ hash_key('employee_id') }} as employee_key,
    absence_date,
    coalesce(end_date, absence_date) as end_date,
    cast(date_trunc('month', absence_date) as date) as absence_month,
    end_date is not null and end_date > absence_date as is_episode,
    absence_type,
    absence_type = 'holiday' as is_planned_leave,
    hours,
    days,
    scheduled_hours,
    _batch_id as batch_id
from latest
