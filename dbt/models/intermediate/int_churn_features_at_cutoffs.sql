-- The churn model's inputs (dagster_project/analysis/churn_model.py): for three cutoff dates
-- (train = observation end - 2 horizons, test = observation end - 1 horizon, score =
-- observation end) and every customer who had bought by the cutoff, what was known at the end
-- of the cutoff day: purchases, NPS answers, customer texts and tickets dated on or before it,
-- and nothing later (a ticket's reply counts only once it was sent, a CSAT rating once the
-- ticket was solved). For train and test, the label: no purchase in the next
-- churn_horizon_days days. tests/e2e/test_churn_model.py rewrites everything after a cutoff
-- and checks that no feature moves.
{% set horizon = "cast(" ~ var('churn_horizon_days') ~ " as integer)" %}
with dates as (
    select observation_end from {{ ref('int_clv_dates') }}
),

cutoffs as (
    select
        split,
        cutoff_date,
        cast(cutoff_date + interval 1 day as timestamp) as known_until,
        split <> 'score' as labelled
    from (
        select 'train' as split,
            cast({{ minus_days('observation_end', '2 * ' ~ horizon) }} as date)
                as cutoff_date
        from dates
        union all
        select 'test',
            cast({{ minus_days('observation_end', horizon) }} as date)
        from dates
        union all
        select 'score', observation_end from dates
    )
    where cutoff_date is not null
),

days as (
    select customer_key, transaction_date, day_value
    from {{ ref('int_customer_days_aggregated') }}
),

purchases as (
    select
        c.split,
        d.customer_key,
        min(d.transaction_date) as first_purchase_date,
        max(d.transaction_date) as last_purchase_date,
        count(*) as purchase_days,
        sum(d.day_value) as total_value
    from cutoffs as c
    inner join days as d on d.transaction_date <= c.cutoff_date
    group by all
),

bought_after as (
    select c.split, d.customer_key, count(*) as purchase_days_after
    from cutoffs as c
    inner join days as d
        on d.transaction_date > c.cutoff_date
        and d.transaction_date <= {{ plus_days('c.cutoff_date', horizon) }}
    where c.labelled
    group by all
),

gaps as (
    select
        transaction_date,
        {{ units_between('day', "lag(transaction_date) over ( partition by customer_key order by transaction_date)", "transaction_date") }} as gap_days
    from days
),

thresholds as (
    -- the inactivity rule as it could have been set at the cutoff (int_churn_threshold_derived
    -- uses every gap, later ones included)
    select
        c.split,
        cast(ceil({{ quantile_cont('g.gap_days', 'cast(' ~ var('churn_gap_percentile') ~ ' as double)') }}) as integer)
            as inactivity_threshold_days
    from cutoffs as c
    inner join gaps as g on g.transaction_date <= c.cutoff_date and g.gap_days is not null
    group by c.split
),

nps as (
    select split, customer_key, last_nps_score, last_nps_category, last_nps_at
    from (
        select
            c.split, n.customer_key, n.score as last_nps_score,
            n.nps_category as last_nps_category, n.responded_at as last_nps_at,
            row_number() over (
                partition by c.split, n.customer_key order by n.responded_at desc, n.response_id desc
            ) as latest
        from cutoffs as c
        inner join {{ ref('fct_nps_responses') }} as n
            on n.responded_at < c.known_until and n.customer_key is not null
    )
    where latest = 1
),

texts as (
    select c.split, c.known_until, t.*
    from cutoffs as c
    inner join {{ ref('fct_customer_texts') }} as t
        on t.text_at < c.known_until and t.customer_key is not null
),

last_text as (
    select split, customer_key, last_text_compound, last_text_sentiment, last_text_at
    from (
        select
            split, customer_key, compound as last_text_compound,
            sentiment_label as last_text_sentiment, text_at as last_text_at,
            row_number() over (
                partition by split, customer_key order by text_at desc, source, text_id
            ) as latest
        from texts
    )
    where latest = 1
),

negative_texts as (
    select
        split,
        customer_key,
        count(*) as negative_texts_365d,
        {{ sorted_distinct_flatten('themes') }} as negative_themes_365d
    from texts
    where sentiment_label = 'negative' and text_at >= known_until - interval 365 day
    group by all
),

tickets as (
    select
        c.split,
        t.customer_key,
        max(t.created_at) as last_ticket_at,
        count(*) filter (where t.created_at >= c.known_until - interval 365 day) as tickets_365d,
        -- waited longer than churn_slow_reply_hours for a first reply, as seen at the cutoff
        count(*) filter (
            where t.created_at >= c.known_until - interval 365 day
              and {{ units_between('minute', "t.created_at", "least(c.known_until, coalesce(" ~ plus_minutes('t.created_at', 't.first_reply_minutes') ~ ", c.known_until))") }}
                  > 60 * cast({{ var('churn_slow_reply_hours') }} as double)
        ) as slow_reply_tickets_365d,
        count(*) filter (
            where t.created_at >= c.known_until - interval 365 day
              and t.solved_at < c.known_until and not t.is_csat_satisfied
        ) as unsatisfied_csat_365d
    from cutoffs as c
    inner join {{ ref('fct_support_tickets') }} as t
        on t.created_at < c.known_until and t.customer_key is not null
    group by all
)

select
    c.split,
    c.cutoff_date,
    cast({{ var('churn_horizon_days') }} as integer) as horizon_days,
    p.customer_key,
    p.last_purchase_date
        >= {{ minus_days('c.cutoff_date', "cast(" ~ var('churn_model_active_days') ~ " as integer)") }}
        as in_population,
    p.first_purchase_date,
    p.last_purchase_date,
    p.purchase_days,
    p.total_value,
    {{ units_between('day', "p.last_purchase_date", "c.cutoff_date") }} as recency_days,
    {{ units_between('day', "p.first_purchase_date", "c.cutoff_date") }} as tenure_days,
    th.inactivity_threshold_days,
    {{ units_between('day', "p.last_purchase_date", "c.cutoff_date") }} > th.inactivity_threshold_days
        as is_inactive,
    case when c.labelled then coalesce(b.purchase_days_after, 0) = 0 end as churned,
    n.last_nps_score,
    n.last_nps_category,
    {{ units_between('day', "n.last_nps_at", "c.known_until") }} as days_since_last_nps,
    lt.last_text_compound,
    lt.last_text_sentiment,
    {{ units_between('day', "greatest(n.last_nps_at, lt.last_text_at, tk.last_ticket_at)", "c.known_until") }}
        as days_since_last_contact,
    coalesce(nt.negative_texts_365d, 0) as negative_texts_365d,
    coalesce(nt.negative_themes_365d, {{ empty_text_list() }}) as negative_themes_365d,
    coalesce(tk.tickets_365d, 0) as tickets_365d,
    coalesce(tk.slow_reply_tickets_365d, 0) as slow_reply_tickets_365d,
    coalesce(tk.unsatisfied_csat_365d, 0) as unsatisfied_csat_365d
from cutoffs as c
inner join purchases as p on p.split = c.split
left join thresholds as th on th.split = c.split
left join bought_after as b on b.split = c.split and b.customer_key = p.customer_key
left join nps as n on n.split = c.split and n.customer_key = p.customer_key
left join last_text as lt on lt.split = c.split and lt.customer_key = p.customer_key
left join negative_texts as nt on nt.split = c.split and nt.customer_key = p.customer_key
left join tickets as tk on tk.split = c.split and tk.customer_key = p.customer_key
