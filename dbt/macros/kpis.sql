{#- Net Promoter Score from a 0-10 score column: % promoters (9-10) minus % detractors (0-6).
    The one place the formula lives; customer NPS and eNPS both use it. -#}
{% macro nps(score) -%}
    round(100.0 * (count(*) filter (where {{ score }} >= 9) - count(*) filter (where {{ score }} <= 6))
          / nullif(count({{ score }}), 0), 1)
{%- endmacro %}

{#- CSAT: share of ratings of 4 or 5 on a 1-5 scale, in percent. -#}
{% macro csat_pct(rating) -%}
    round(100.0 * count(*) filter (where {{ rating }} >= 4) / nullif(count({{ rating }}), 0), 1)
{%- endmacro %}

{#- Engagement index of a group of responses: the mean over responses of the mean of the five
    1-5 pulse items. Computed from an exact integer sum, so the result (and its rounding) does
    not depend on the order DuckDB's parallel aggregation adds things up. -#}
{% macro engagement_index() -%}
    sum(item_valued + item_listened_to + item_tools + item_growth + item_workload) / (5.0 * count(*))
{%- endmacro %}
