-- Inactivity churn events: each time a customer stays silent past the threshold. The churn
-- date is the day the silence crosses the threshold; a later purchase is a reactivation.
with days as (
    select
        customer_key,
        transaction_date,
        lead(transaction_date) over (partition by customer_key order by transaction_date) as next_date
    from {{ ref('int_customer_days_aggregated') }}
)

select
    days.customer_key,
    days.transaction_date as last_purchase_before_churn,
    cast({{ plus_days('days.transaction_date', 't.threshold_days') }} as date) as churn_date,
    days.next_date as reactivation_date
from days
cross join {{ ref('int_churn_threshold_derived') }} as t
cross join {{ ref('int_clv_dates') }} as d
where coalesce(days.next_date, d.observation_end + 1) > {{ plus_days('days.transaction_date', 't.threshold_days') }}
  and {{ plus_days('days.transaction_date', 't.threshold_days') }} <= d.observation_end
