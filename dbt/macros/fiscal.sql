{% macro fiscal_year(month_expr, start_month) -%}
    {#- The financial year of a date, named by the calendar year it ends in: with a financial
        year starting in April (start_month 4), April 2025 to March 2026 is 2026. -#}
    cast(year({{ month_expr }}) + case when {{ start_month }} > 1
        and month({{ month_expr }}) >= {{ start_month }} then 1 else 0 end as integer)
{%- endmacro %}

{% macro fiscal_quarter(month_expr, start_month) -%}
    {#- Quarter 1-4 of the financial year; quarter 1 starts in start_month. -#}
    cast({{ int_div('(month(' ~ month_expr ~ ') - ' ~ start_month ~ ' + 12) % 12', 3) }} + 1 as integer)
{%- endmacro %}
