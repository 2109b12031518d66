with latest as (
    {{ latest_per_key(source('raw', 'hr_absences'), 'absence_id') }}
)

select
    absence_id,
    {{ hash_key('employee_id') }} as employee_key,
    absence_date,
    cast(date_trunc('month', absence_date) as date) as absence_month,
    absence_type,
    hours,
    scheduled_hours,
    _batch_id as batch_id
from latest
