-- Every store x month between the first and the last month with POS activity, so that
-- monthly KPIs show a zero (not a gap) for a month without activity.
with bounds as (
    select min(transaction_month) as first_month, max(transaction_month) as last_month
    from {{ ref('stg_pos__transactions') }}
),

months as (
    select cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month
    from bounds
),

stores as (
    select distinct store_id from {{ ref('stg_pos__transactions') }}
)

select
    stores.store_id,
    months.month,
    cast(months.month + interval 1 month - interval 1 day as date) as month_end
from stores
cross join months
