-- The empathy scorecard: how understood customers and staff feel, per month, as the weighted
-- mean of components on 0-100 (higher = better understood). The components and their weights
-- are the seed empathy_scorecard, which the owner edits; a component without data in a month
-- is left out and the others' weights are normalised, so the score never counts a gap as 0.
with components as (
    select
        text_month as month,
        'customer_tone' as component,
        count(*) as n,
        100.0 * count(*) filter (where sentiment_label <> 'negative') / count(*) as value
    from {{ ref('fct_customer_texts') }}
    group by all

    union all
    select
        event_month,
        'ease',
        count(is_high_effort),
        100.0 - 100.0 * count(*) filter (where is_high_effort) / nullif(count(is_high_effort), 0)
    from (select distinct source, event_id, event_month, is_high_effort
          from {{ ref('fct_journey_events') }})
    group by all

    union all
    select month, 'reply_speed', sum(n), 100.0 * sum(k) / nullif(sum(n), 0)
    from (
        select month, reviews as n, answered_in_time as k from {{ ref('kpi_reviews_monthly') }}
        union all
        select
            created_month,
            count(*),
            count(*) filter (where first_reply_minutes <= 24 * 60)
        from {{ ref('fct_support_tickets') }}
        group by all
    )
    group by all

    union all
    select
        created_month,
        'problems_closed',
        count(*),
        100.0 * count(*) filter (where status in ('solved', 'closed')) / count(*)
    from {{ ref('fct_support_tickets') }}
    where csat_score <= 2 or is_high_effort
    group by all

    union all
    select month, 'staff_feel_heard', survey_responses, (enps + 100.0) / 2
    from {{ ref('kpi_company_monthly') }}
    where enps is not null
),

-- decimals: their sums are exact, so a refresh of the same data gives the same score to the
-- last digit (a sum of doubles depends on the order the threads add them in)
weighted as (
    select
        c.month,
        c.component,
        w.label,
        w.weight,
        c.n::bigint as n,
        round(c.value, 1)::decimal(9, 1) as value,
        w.weight::decimal(12, 4) as weight_dec,
        sum(w.weight::decimal(12, 4)) over (partition by c.month) as month_weight
    from components as c
    inner join {{ ref('empathy_scorecard') }} as w using (component)
    where c.value is not null and c.n > 0
)

select
    month,
    component,
    label,
    weight,
    -- quotients rounded as decimals to 6 places first: DuckDB divides decimals in floating
    -- point, Spark in decimal, and a figure that is exactly a half (-1.45) must round the same
    -- way on both (away from zero, as exact arithmetic says)
    round(cast(weight_dec / month_weight as decimal(18, 6)), 3)::double as weight_share,
    n,
    value::double as value,
    round(cast(weight_dec * value / month_weight as decimal(18, 6)), 1)::double as points,
    round(cast(sum(weight_dec * value) over (partition by month) / month_weight as decimal(18, 6)), 1)::double
        as empathy_score,
    round(value - lag(value) over (partition by component order by month), 1)::double
        as value_change,
    round(cast(
        weight_dec * value / month_weight
        - lag(weight_dec * value / month_weight) over (partition by component order by month)
        as decimal(18, 6)), 1
    )::double as points_change
from weighted
