{#- The category of a 0-10 recommendation score: promoter (9-10), passive (7-8) or detractor
    (0-6). The one place the cut-offs live: staging classifies each response with it, and the
    NPS below counts with it. -#}
{% macro nps_category(score) -%}
    case when {{ score }} >= 9 then 'promoter' when {{ score }} >= 7 then 'passive'
        when {{ score }} is not null then 'detractor' end
{%- endmacro %}

{#- Net Promoter Score from a 0-10 score column: % promoters minus % detractors, over the rows
    where `condition` holds. The one place the formula lives; customer NPS and eNPS both use
    it. -#}
{% macro nps(score, condition='true') -%}
    round(100.0 * (count(*) filter (where ({{ condition }}) and {{ nps_category(score) }} = 'promoter')
                   - count(*) filter (where ({{ condition }}) and {{ nps_category(score) }} = 'detractor'))
          / nullif(count({{ score }}) filter (where {{ condition }}), 0), 1)
{%- endmacro %}

{#- A satisfied CSAT rating: 4 or 5 on a 1-5 scale (null when there is no rating). The one place
    the cut-off lives. -#}
{% macro csat_satisfied(rating) -%}
    ({{ rating }} >= 4)
{%- endmacro %}

{#- CSAT: share of satisfied ratings, in percent. -#}
{% macro csat_pct(rating) -%}
    round(100.0 * count(*) filter (where {{ csat_satisfied(rating) }}) / nullif(count({{ rating }}), 0), 1)
{%- endmacro %}

{#- Engagement index of a group of responses: the mean over responses of the mean of the five
    1-5 pulse items. Computed from an exact integer sum, so the result (and its rounding) does
    not depend on the order DuckDB's parallel aggregation adds things up. -#}
{% macro engagement_index() -%}
    sum(item_valued + item_listened_to + item_tools + item_growth + item_workload) / (5.0 * count(*))
{%- endmacro %}

{#- 95% interval of an NPS from its counts: NPS = 100 (P - D) with P, D the shares of
    promoters and detractors; Var = (P + D - (P - D)^2) / n (multinomial); clipped to the
    scale's -100..100. -#}
{% macro nps_interval(promoters, detractors, n, bound) -%}
    {{ 'greatest(-100.0, ' if bound == 'low' else 'least(100.0, ' }}round(100.0 * (({{ promoters }} - {{ detractors }}) / {{ n }}
        {{ '-' if bound == 'low' else '+' }} 1.959964 * sqrt(
            ({{ promoters }} + {{ detractors }}) / {{ n }}
            - power(({{ promoters }} - {{ detractors }}) / {{ n }}, 2)) / sqrt({{ n }})), 1))
{%- endmacro %}

{#- The support-experience measures over a group of fct_support_tickets rows (Zendesk
    definitions): ticket counts, median first reply and full resolution in calendar and business
    minutes, one-touch and reopened shares of solved tickets, CSAT with its n. -#}
{% macro support_experience_measures() -%}
    count(*) as tickets,
    count(first_reply_minutes) as replied_tickets,
    median(first_reply_minutes) as median_first_reply_minutes,
    median(first_reply_business_minutes) as median_first_reply_business_minutes,
    median(full_resolution_minutes) as median_full_resolution_minutes,
    median(full_resolution_business_minutes) as median_full_resolution_business_minutes,
    count(*) filter (where status in ('solved', 'closed')) as solved_tickets,
    round(100.0 * count(*) filter (where is_one_touch)
        / nullif(count(*) filter (where status in ('solved', 'closed')), 0), 1) as one_touch_pct,
    round(100.0 * count(*) filter (where reopens > 0)
        / nullif(count(*) filter (where status in ('solved', 'closed')), 0), 1) as reopened_pct,
    round(100.0 * count(*) filter (where is_high_effort) / nullif(count(is_high_effort), 0), 1)
        as high_effort_pct,
    count(csat_score) as csat_ratings,
    {{ csat_pct('csat_score') }} as csat_pct
{%- endmacro %}


-- A review's rating on 1..scale, mapped linearly onto 1-5 stars (5 stars: as given). The one
-- place the mapping lives; the README gives the scale.
{% macro review_stars(rating, scale) -%}
    round(case when coalesce({{ scale }}, 5) = 5 then {{ rating }}
        else 1 + 4.0 * ({{ rating }} - 1) / (coalesce({{ scale }}, 5) - 1) end, 2)
{%- endmacro %}


-- Customer effort (CES, 1-7, 7 = "strongly agree it was easy"): 5-7 is easy, 1-3 is hard, 4
-- neither; null without an answer. The one place the cut-offs live.
{% macro ces_easy(score) -%}
    case when {{ score }} >= 5 then true when {{ score }} <= 3 then false end
{%- endmacro %}


-- A support ticket that cost the customer effort (the proxy where no effort survey exists):
-- reopened, three or more agent replies (back and forth), or more than
-- var ticket_high_effort_hours from opening to solved, or still unsolved after that long.
-- Null for a ticket still open but younger than that, counted from the newest ticket in the
-- export (its effort is not known yet).
{% macro ticket_high_effort() -%}
    case
        when reopens > 0 or coalesce(agent_replies, 0) >= 3 then true
        when solved_at is not null
            then {{ units_between('minute', "created_at", "solved_at") }} > 60 * {{ var('ticket_high_effort_hours') }}
        when {{ units_between('minute', "created_at", "(select max(created_at) from " ~ ref('stg_support__tickets') ~ ")") }}
            > 60 * {{ var('ticket_high_effort_hours') }} then true
    end
{%- endmacro %}


{#- Wilson 95% score interval of a proportion k / n (bound 'low' or 'high'), as a share 0..1. -#}
{% macro wilson(k, n, bound) -%}
    (({{ k }} + 1.920729) / ({{ n }} + 3.841459)
        {{ '-' if bound == 'low' else '+' }} 1.959964 * sqrt({{ k }} * ({{ n }} - {{ k }}) / {{ n }} + 0.960365)
        / ({{ n }} + 3.841459))
{%- endmacro %}

{#- 95% interval of the change p1 - p0 of two independent proportions k1/n1 and k0/n0, in
    percentage points (Newcombe's hybrid score method 10, from the two Wilson intervals). -#}
{% macro proportion_change_interval(k1, n1, k0, n0, bound) -%}
    round(100.0 * (({{ k1 }} / {{ n1 }} - {{ k0 }} / {{ n0 }})
    {% if bound == 'low' -%}
        - sqrt(power({{ k1 }} / {{ n1 }} - {{ wilson(k1, n1, 'low') }}, 2)
            + power({{ wilson(k0, n0, 'high') }} - {{ k0 }} / {{ n0 }}, 2))
    {%- else -%}
        + sqrt(power({{ wilson(k1, n1, 'high') }} - {{ k1 }} / {{ n1 }}, 2)
            + power({{ k0 }} / {{ n0 }} - {{ wilson(k0, n0, 'low') }}, 2))
    {%- endif %}), 1)
{%- endmacro %}
