-- Does the model predict? Customers summarised up to the end of calibration, scored with the
-- calibration fit, predicted purchases in the holdout period against the actual ones, by the
-- number of repeat purchases in calibration (7 means 7 or more).
with params as (
    {{ latest_clv_params('calibration') }}
),

scored as (
    select
        least(s.frequency, 7) as calibration_repeat_purchases,
        s.holdout_purchases,
        {{ bgnbd_expected_purchases(units_between('day', 's.period_end', 'd.observation_end') ~ ' / 7.0', 's.frequency', 's.recency_weeks', 's.age_weeks') }}
            as predicted
    from {{ ref('int_clv_summary_calibration') }} as s
    cross join params
    cross join {{ ref('int_clv_dates') }} as d
)

, exact as (
    -- fixed-point predictions make the sums below exact and independent of summation order
    select *, cast(predicted as decimal(18, 6)) as predicted_purchases from scored
)

select
    calibration_repeat_purchases,
    count(*) as customers,
    round(avg(holdout_purchases), 4) as actual_purchases_per_customer,
    round(avg(predicted_purchases), 4) as predicted_purchases_per_customer,
    sum(holdout_purchases) as actual_purchases,
    round(sum(predicted_purchases), 2) as predicted_purchases,
    max(params.bgnbd_run_id) as bgnbd_run_id
from exact
cross join params
group by calibration_repeat_purchases
order by calibration_repeat_purchases
