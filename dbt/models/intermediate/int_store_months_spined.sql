-- Every store x month between the first and the last month with activity in any source (POS
-- payments, NPS responses, tickets, pulse surveys, absences), so that monthly KPIs show a zero
-- (not a gap) for a month without activity, and a business without a POS export still has
-- its team and survey months. With only an employee register, the last 24 months up to its
-- latest hire or leave.
with activity as (
    select store_id, transaction_month as month from {{ ref('stg_pos__transactions') }}
    union all
    select store_id, response_month from {{ ref('stg_nps__responses') }}
    union all
    select store_id, cast(date_trunc('month', created_at) as date) from {{ ref('stg_support__tickets') }}
    union all
    select store_id, survey_month from {{ ref('stg_hr__engagement_responses') }}
    union all
    select e.store_id, a.absence_month
    from {{ ref('stg_hr__absences') }} as a
    left join {{ ref('stg_hr__employees') }} as e using (employee_key)
),

register as (
    select
        max(cast(date_trunc('month', greatest(hire_date, coalesce(termination_date, hire_date))) as date))
            as last_month
    from {{ ref('stg_hr__employees') }}
),

bounds as (
    select
        coalesce(min(a.month), cast(r.last_month - interval 23 month as date)) as first_month,
        coalesce(max(a.month), r.last_month) as last_month
    from register as r
    left join activity as a on a.month is not null
    group by r.last_month
),

months as (
    select {{ date_series('first_month', 'last_month', 'month') }} as month
    from bounds
    where first_month is not null
),

stores as (
    select store_id from activity where store_id is not null
    union
    select store_id from {{ ref('stg_hr__employees') }} where store_id is not null
)

select
    stores.store_id,
    months.month,
    cast(months.month + interval 1 month - interval 1 day as date) as month_end
from stores
cross join months
