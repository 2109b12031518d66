{#- Recency / frequency / age summary of each customer up to `period_end` (a column of
    int_clv_dates), in weeks, as the BG/NBD and Gamma-Gamma models need it:
    frequency = purchase days after the first, recency_weeks = first to last purchase,
    age_weeks = first purchase to period end, mean_repeat_value = mean value of the repeat
    purchase days. With with_holdout, also the purchase days after calibration_end. -#}
{% macro clv_summary(period_end, with_holdout=false) %}
with dates as (
    select * from {{ ref('int_clv_dates') }}
),

days as (
    select d.*, dates.{{ period_end }} as period_end
    from {{ ref('int_customer_days_aggregated') }} as d
    cross join dates
),

firsts as (
    select customer_key, min(transaction_date) as first_purchase_date
    from days
    group by customer_key
)

select
    days.customer_key,
    firsts.first_purchase_date,
    max(days.period_end) as period_end,
    count(*) filter (where days.transaction_date <= days.period_end) - 1 as frequency,
    {{ units_between('day', "firsts.first_purchase_date", "max(days.transaction_date) filter (where days.transaction_date <= days.period_end)") }} / 7.0
        as recency_weeks,
    {{ units_between('day', "firsts.first_purchase_date", "max(days.period_end)") }} / 7.0 as age_weeks,
    avg(days.day_value) filter (
        where days.transaction_date > firsts.first_purchase_date
          and days.transaction_date <= days.period_end
    ) as mean_repeat_value
    {%- if with_holdout %},
    count(*) filter (
        where days.transaction_date > (select calibration_end from dates)
          and days.transaction_date <= (select observation_end from dates)
    ) as holdout_purchases
    {%- endif %}
from days
inner join firsts using (customer_key)
where firsts.first_purchase_date <= days.period_end
group by days.customer_key, firsts.first_purchase_date
{% endmacro %}

{#- BG/NBD closed forms over columns r, alpha, a, b (parameters) and x, t_x, T (summary),
    Fader, Hardie & Lee (2005) eq. 10 and P(alive). hyp2f1: see macros/spark.sql. -#}
{% macro bgnbd_p_alive(x, t_x, T) -%}
    (1.0 / (1.0 + case when {{ x }} > 0
        then (a / (b + {{ x }} - 1)) * power((alpha + {{ T }}) / (alpha + {{ t_x }}), r + {{ x }})
        else 0 end))
{%- endmacro %}

{% macro bgnbd_expected_purchases(t, x, t_x, T) -%}
    (case when {{ t }} <= 0 then 0.0 else
        ((a + b + {{ x }} - 1) / (a - 1))
        * (1 - power((alpha + {{ T }}) / (alpha + {{ T }} + {{ t }}), r + {{ x }})
               * {{ hyp2f1('r + ' ~ x, 'b + ' ~ x, 'a + b + ' ~ x ~ ' - 1',
                           t ~ ' / (alpha + ' ~ T ~ ' + ' ~ t ~ ')') }})
        / (1.0 + case when {{ x }} > 0
            then (a / (b + {{ x }} - 1)) * power((alpha + {{ T }}) / (alpha + {{ t_x }}), r + {{ x }})
            else 0 end)
    end)
{%- endmacro %}

{#- Gamma-Gamma expected value of a future transaction (Fader & Hardie 2013, eq. 5) over
    columns p, q, gamma; x = repeat purchases, m = their mean value (the population mean
    p * gamma / (q - 1) when x = 0). -#}
{% macro gamma_gamma_expected_value(x, m) -%}
    (p * (gamma + {{ x }} * coalesce({{ m }}, 0)) / (p * {{ x }} + q - 1))
{%- endmacro %}

{#- The latest fit of each model for one purpose, as one row of parameters. -#}
{% macro latest_clv_params(purpose) %}
    with latest as (
        select *
        from {{ source('analysis', 'clv_model_runs') }}
        where purpose = '{{ purpose }}'
        qualify row_number() over (partition by model order by run_seq desc) = 1
    )
    select
        max(run_id) filter (where model = 'bgnbd') as bgnbd_run_id,
        max(run_id) filter (where model = 'gamma_gamma') as gamma_gamma_run_id,
        max(r) as r, max(alpha) as alpha, max(a) as a, max(b) as b,
        max(p) as p, max(q) as q, max(gamma) as gamma
    from latest
{% endmacro %}
