-- Inactivity churn threshold derived from the data: a high percentile of the gaps between
-- consecutive purchase days of the same customer. A customer silent for longer than this many
-- days is counted as churned.
with gaps as (
    select
        {{ units_between('day', "lag(transaction_date) over ( partition by customer_key order by transaction_date)", "transaction_date") }} as gap_days
    from {{ ref('int_customer_days_aggregated') }}
)

select
    cast({{ var('churn_gap_percentile') }} as double) as gap_percentile,
    cast(ceil({{ quantile_cont('gap_days', 'cast(' ~ var('churn_gap_percentile') ~ ' as double)') }}) as integer)
        as threshold_days,
    count(gap_days) as n_gaps,
    'no purchase for more than the ' || cast(round(100 * cast({{ var('churn_gap_percentile') }} as double)) as integer)
        || 'th percentile of gaps between purchases' as rule
from gaps
where gap_days is not null
