-- The dates the customer models use: the end of observation (last day with any POS activity
-- unless fixed by a var) and the end of calibration (observation end minus the holdout).
with bounds as (
    select
        coalesce(
            cast({{ "'" ~ var('clv_observation_end') ~ "'" if var('clv_observation_end') else 'null' }} as date),
            max(transaction_date)
        ) as observation_end,
        min(transaction_date) as first_activity_date
    from {{ ref('fct_pos_transactions') }}
)

select
    observation_end,
    coalesce(
        cast({{ "'" ~ var('clv_calibration_end') ~ "'" if var('clv_calibration_end') else 'null' }} as date),
        cast({{ minus_days('observation_end', '7 * cast(' ~ var('clv_holdout_weeks') ~ ' as integer)') }} as date)
    ) as calibration_end,
    first_activity_date,
    7 as time_unit_days
from bounds
