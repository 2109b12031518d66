{#- Generic test: every non-null value lies in [min_value, max_value] (either bound optional). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} is not null
  and (
    {% if min_value is not none %}{{ column_name }} < {{ min_value }}{% else %}false{% endif %}
    or {% if max_value is not none %}{{ column_name }} > {{ max_value }}{% else %}false{% endif %}
  )
{% endtest %}

{#- Generic test: the model's rows sum to the same total as another relation's column. -#}
{% test equal_sum(model, column_name, compare_model, compare_column, tolerance=0.005) %}
with a as (select coalesce(sum({{ column_name }}), 0) as s from {{ model }}),
     b as (select coalesce(sum({{ compare_column }}), 0) as s from {{ compare_model }})
select a.s as model_sum, b.s as compare_sum
from a, b
where abs(a.s - b.s) > {{ tolerance }}
{% endtest %}
