with latest as (
    {{ latest_per_key(source('raw', 'hr_employees'), 'employee_id') }}
)

select
    {{ hash_key('employee_id') }} as employee_key,
    store_id,
    role,
    hire_date,
    termination_date,
    termination_reason,
    weekly_hours,
    termination_date is null as is_active,
    _batch_id as batch_id
from latest
