select
    employee_key,
    store_id,
    role,
    hire_date,
    termination_date,
    termination_reason,
    weekly_hours,
    is_active
from {{ ref('stg_hr__employees') }}
