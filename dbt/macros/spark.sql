{#- The dbt project on Spark (target spark): the sources are the warehouse's tables exported as
    Parquet (dagster_project/spark_export.py) into EMPATHY_SPARK_DIR/sources/<schema>/<table>;
    `dbt run-operation register_parquet_sources --target spark` declares each to Spark. -#}
{% macro register_parquet_sources() %}
    {%- set root = env_var('EMPATHY_SPARK_DIR') ~ '/sources' -%}
    {#- the sources, and the salt the hashed keys are made with (read by hash_key) -#}
    {%- set tables = [('private', 'hash_salt')] -%}
    {%- for source in graph.sources.values() %}
        {%- do tables.append((source.schema, source.name)) -%}
    {%- endfor %}
    {#- and the seeds, as the warehouse holds them (their column types are DuckDB's) -#}
    {%- for node in graph.nodes.values() if node.resource_type == 'seed' %}
        {%- do tables.append((node.schema, node.name)) -%}
    {%- endfor %}
    {%- for schema, name in tables %}
        {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ name) -%}
        {%- do run_query('create table ' ~ schema ~ '.' ~ name ~ " using parquet location '" ~ root ~ '/' ~ schema ~ '/' ~ name ~ "'") -%}
    {%- endfor %}
    {{ log('registered ' ~ tables | length ~ ' tables', info=True) }}
{% endmacro %}

{#- SQL that differs between DuckDB (the product's engine) and Spark, behind adapter.dispatch:
    the models call these and stay one text for both engines. -#}

{#- Hex SHA-256 of a string. -#}
{% macro sha256_hex(expr) %}{{ return(adapter.dispatch('sha256_hex')(expr)) }}{% endmacro %}
{% macro default__sha256_hex(expr) %}sha256({{ expr }}){% endmacro %}
{% macro spark__sha256_hex(expr) %}sha2({{ expr }}, 256){% endmacro %}

{#- Unit boundaries crossed from start to end, as DuckDB's date_diff counts them ('day' between
    23:59 and 00:01 is 1): day, hour, minute, second or month. -#}
{% macro units_between(unit, start, end) %}{{ return(adapter.dispatch('units_between')(unit, start, end)) }}{% endmacro %}
{% macro default__units_between(unit, start, end) %}date_diff('{{ unit }}', {{ start }}, {{ end }}){% endmacro %}
{% macro spark__units_between(unit, start, end) -%}
    {%- if unit == 'day' -%}
        datediff(cast({{ end }} as date), cast({{ start }} as date))
    {%- elif unit == 'month' -%}
        ((year({{ end }}) * 12 + month({{ end }})) - (year({{ start }}) * 12 + month({{ start }})))
    {%- elif unit in ('hour', 'minute', 'second') -%}
        {%- set size = {'hour': 3600, 'minute': 60, 'second': 1}[unit] -%}
        (floor(unix_timestamp({{ end }}) / {{ size }}) - floor(unix_timestamp({{ start }}) / {{ size }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("units_between: no Spark form for unit " ~ unit) }}
    {%- endif -%}
{%- endmacro %}

{#- Replace every match of a regular expression; group references written \1, \2. -#}
{% macro regexp_replace_all(expr, pattern, replacement) %}{{ return(adapter.dispatch('regexp_replace_all')(expr, pattern, replacement)) }}{% endmacro %}
{% macro default__regexp_replace_all(expr, pattern, replacement) %}regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }}, 'g'){% endmacro %}
{% macro spark__regexp_replace_all(expr, pattern, replacement) %}regexp_replace({{ expr }}, {{ pattern }}, {{ replacement | replace('\\1', '$1') | replace('\\2', '$2') }}){% endmacro %}

{#- The large staging facts are incremental on DuckDB (delete+insert of the keys of new
    batches); Spark's Parquet tables have no delete, so there they are rebuilt whole. -#}
{% macro incremental_or_table() %}{{ return('table' if target.type == 'spark' else 'incremental') }}{% endmacro %}

{#- The value of one column on the row where another is largest. -#}
{% macro arg_max(value, by) %}{{ return(adapter.dispatch('arg_max')(value, by)) }}{% endmacro %}
{% macro default__arg_max(value, by) %}arg_max({{ value }}, {{ by }}){% endmacro %}
{% macro spark__arg_max(value, by) %}max_by({{ value }}, {{ by }}){% endmacro %}

{#- One row per date from start to end (both included), a day or a month apart: a column
    expression of type date, alone in its select item (Spark's explode cannot nest). -#}
{% macro date_series(start, end, unit='day') %}{{ return(adapter.dispatch('date_series')(start, end, unit)) }}{% endmacro %}
{% macro default__date_series(start, end, unit) %}cast(unnest(generate_series({{ start }}, {{ end }}, interval 1 {{ unit }})) as date){% endmacro %}
{% macro spark__date_series(start, end, unit) %}explode(sequence(cast({{ start }} as date), cast({{ end }} as date), interval 1 {{ unit }})){% endmacro %}

{#- ISO day of the week: 1 Monday ... 7 Sunday. -#}
{% macro iso_dow(expr) %}{{ return(adapter.dispatch('iso_dow')(expr)) }}{% endmacro %}
{% macro default__iso_dow(expr) %}isodow({{ expr }}){% endmacro %}
{% macro spark__iso_dow(expr) %}((dayofweek({{ expr }}) + 5) % 7 + 1){% endmacro %}

{#- Integer division, rounding down. -#}
{% macro int_div(a, b) %}{{ return(adapter.dispatch('int_div')(a, b)) }}{% endmacro %}
{% macro default__int_div(a, b) %}{{ a }} // {{ b }}{% endmacro %}
{% macro spark__int_div(a, b) %}{{ a }} div {{ b }}{% endmacro %}

{#- Continuous quantile (linear interpolation between the two nearest values). -#}
{% macro quantile_cont(expr, fraction) %}{{ return(adapter.dispatch('quantile_cont')(expr, fraction)) }}{% endmacro %}
{% macro default__quantile_cont(expr, fraction) %}quantile_cont({{ expr }}, {{ fraction }}){% endmacro %}
{% macro spark__quantile_cont(expr, fraction) %}percentile({{ expr }}, {{ fraction }}){% endmacro %}

{#- A date some days earlier. -#}
{% macro minus_days(date, days) %}{{ return(adapter.dispatch('minus_days')(date, days)) }}{% endmacro %}
{% macro default__minus_days(date, days) %}{{ date }} - to_days({{ days }}){% endmacro %}
{% macro spark__minus_days(date, days) %}date_sub({{ date }}, {{ days }}){% endmacro %}

{#- ISO year and week as one number, 202653 (DuckDB's yearweek). -#}
{% macro iso_year_week(date) %}{{ return(adapter.dispatch('iso_year_week')(date)) }}{% endmacro %}
{% macro default__iso_year_week(date) %}yearweek({{ date }}){% endmacro %}
{% macro spark__iso_year_week(date) %}(extract(YEAROFWEEK from {{ date }}) * 100 + weekofyear({{ date }})){% endmacro %}

{#- The distinct values of a group, sorted, joined by a separator. -#}
{% macro sorted_distinct_string_agg(expr, separator) %}{{ return(adapter.dispatch('sorted_distinct_string_agg')(expr, separator)) }}{% endmacro %}
{% macro default__sorted_distinct_string_agg(expr, separator) %}string_agg(distinct {{ expr }}, {{ separator }} order by {{ expr }}){% endmacro %}
{% macro spark__sorted_distinct_string_agg(expr, separator) %}array_join(array_sort(collect_set({{ expr }})), {{ separator }}){% endmacro %}

{#- The values of a group as a sorted list. -#}
{% macro sorted_list(expr) %}{{ return(adapter.dispatch('sorted_list')(expr)) }}{% endmacro %}
{% macro default__sorted_list(expr) %}list({{ expr }} order by {{ expr }}){% endmacro %}
{% macro spark__sorted_list(expr) %}array_sort(collect_list({{ expr }})){% endmacro %}

{#- snake_case words as Title Case Words (the rest of each word as written). -#}
{% macro title_words(expr) %}{{ return(adapter.dispatch('title_words')(expr)) }}{% endmacro %}
{% macro default__title_words(expr) %}array_to_string(
            list_transform(string_split({{ expr }}, '_'), lambda w: upper(w[1]) || w[2:]), ' '
        ){% endmacro %}
{% macro spark__title_words(expr) %}array_join(transform(split({{ expr }}, '_'), w -> concat(upper(substr(w, 1, 1)), substr(w, 2))), ' '){% endmacro %}

{#- A date some days later. -#}
{% macro plus_days(date, days) %}{{ return(adapter.dispatch('plus_days')(date, days)) }}{% endmacro %}
{% macro default__plus_days(date, days) %}{{ date }} + to_days({{ days }}){% endmacro %}
{% macro spark__plus_days(date, days) %}date_add({{ date }}, {{ days }}){% endmacro %}

{#- An empty list of text. -#}
{% macro empty_text_list() %}{{ return(adapter.dispatch('empty_text_list')()) }}{% endmacro %}
{% macro default__empty_text_list() %}[]::varchar[]{% endmacro %}
{% macro spark__empty_text_list() %}cast(array() as array<string>){% endmacro %}

{#- A date plus a time of day ('08:30:00'; on Spark the seed's TIME is text): a timestamp. -#}
{% macro at_time_of_day(date, time_of_day) %}{{ return(adapter.dispatch('at_time_of_day')(date, time_of_day)) }}{% endmacro %}
{% macro default__at_time_of_day(date, time_of_day) %}{{ date }} + {{ time_of_day }}{% endmacro %}
{% macro spark__at_time_of_day(date, time_of_day) %}to_timestamp(concat(cast({{ date }} as string), ' ', {{ time_of_day }})){% endmacro %}

{#- A timestamp plus a number of microseconds. -#}
{% macro plus_microseconds(ts, micros) %}{{ return(adapter.dispatch('plus_microseconds')(ts, micros)) }}{% endmacro %}
{% macro default__plus_microseconds(ts, micros) %}{{ ts }} + to_microseconds({{ micros }}){% endmacro %}
{% macro spark__plus_microseconds(ts, micros) %}timestamp_micros(unix_micros({{ ts }}) + {{ micros }}){% endmacro %}

{#- A sum taken in a fixed order (a float sum that does not depend on parallel aggregation). -#}
{% macro ordered_sum(expr, order_by) %}{{ return(adapter.dispatch('ordered_sum')(expr, order_by)) }}{% endmacro %}
{% macro default__ordered_sum(expr, order_by) %}list_sum(list({{ expr }}
            order by {{ order_by }})){% endmacro %}
{% macro spark__ordered_sum(expr, order_by) %}aggregate(array_sort(collect_list(struct({{ order_by }} as k, cast({{ expr }} as double) as v))), cast(0 as double), (acc, e) -> acc + e.v){% endmacro %}

{#- One row per integer from start to stop - 1, alone in its select item. -#}
{% macro int_series(start, stop) %}{{ return(adapter.dispatch('int_series')(start, stop)) }}{% endmacro %}
{% macro default__int_series(start, stop) %}unnest(range({{ start }}, {{ stop }})){% endmacro %}
{% macro spark__int_series(start, stop) %}explode(sequence({{ start }}, {{ stop }} - 1)){% endmacro %}

{#- Whether a list holds a value. -#}
{% macro list_has(list, value) %}{{ return(adapter.dispatch('list_has')(list, value)) }}{% endmacro %}
{% macro default__list_has(list, value) %}list_contains({{ list }}, {{ value }}){% endmacro %}
{% macro spark__list_has(list, value) %}array_contains({{ list }}, {{ value }}){% endmacro %}

{#- A null of the text type. -#}
{% macro null_text() %}{{ return(adapter.dispatch('null_text')()) }}{% endmacro %}
{% macro default__null_text() %}null::varchar{% endmacro %}
{% macro spark__null_text() %}cast(null as string){% endmacro %}

{#- The English name of a date's day of the week (Monday). -#}
{% macro day_name(date) %}{{ return(adapter.dispatch('day_name')(date)) }}{% endmacro %}
{% macro default__day_name(date) %}dayname({{ date }}){% endmacro %}
{% macro spark__day_name(date) %}date_format({{ date }}, 'EEEE'){% endmacro %}

{#- The Gauss hypergeometric function 2F1(a, b; c; z), 0 <= z < 1. DuckDB calls scipy's, which
    the project's dbt-duckdb plugin registers (dagster_project/analysis/duckdb_functions.py);
    Spark sums the series term by term, t(k+1) = t(k) (a+k)(b+k) / ((c+k)(k+1)) z, in one
    aggregate over k = 0..n: the terms rise while k < about (a+b) z / (1-z) and then fall at
    least as fast as z^k, so n takes both stretches plus 60 / (1-z) terms more (each term
    positive: the sum is good to about n x 1e-16, relative). -#}
{% macro hyp2f1(a, b, c, z) %}{{ return(adapter.dispatch('hyp2f1')(a, b, c, z)) }}{% endmacro %}
{% macro default__hyp2f1(a, b, c, z) %}hyp2f1({{ a }}, {{ b }}, {{ c }}, {{ z }}){% endmacro %}
{% macro spark__hyp2f1(a, b, c, z) -%}
    aggregate(
        sequence(0, cast(least(200000, 50 + ceil((abs({{ a }}) + abs({{ b }})) * ({{ z }}) / (1 - ({{ z }})) + 60 / (1 - ({{ z }})))) as int)),
        named_struct('s', cast(0 as double), 't', cast(1 as double)),
        (acc, k) -> named_struct(
            's', acc.s + acc.t,
            't', acc.t * (({{ a }}) + k) * (({{ b }}) + k) / ((({{ c }}) + k) * (k + 1)) * ({{ z }})),
        acc -> acc.s)
{%- endmacro %}

{#- Every row of the CTE `base` (its `columns`) with the latest `fact_at` (a date) of `facts`
    strictly before its `at`,
    for the same `key`, as `as_name` (null when none). DuckDB: an ASOF join. Spark, which has
    none: the facts' times and the base rows in one stream per key, ordered by time (a fact
    at the same instant after the base row, so "strictly before" holds), and the running
    maximum of the facts' times up to each base row. -#}
{% macro last_before(base, columns, key, at, facts, fact_at, as_name) %}{{ return(adapter.dispatch('last_before')(base, columns, key, at, facts, fact_at, as_name)) }}{% endmacro %}
{% macro default__last_before(base, columns, key, at, facts, fact_at, as_name) -%}
    select {{ base }}.*, p.{{ fact_at }} as {{ as_name }}
    from {{ base }}
    asof left join {{ facts }} as p
        on {{ base }}.{{ key }} = p.{{ key }} and {{ base }}.{{ at }} > p.{{ fact_at }}
{%- endmacro %}
{% macro spark__last_before(base, columns, key, at, facts, fact_at, as_name) -%}
    select {{ columns | join(', ') }}, {{ as_name }}
    from (
        select
            {{ columns | join(', ') }},
            is_base,
            max(fact_time) over (
                partition by {{ key }} order by sort_time, is_base desc
                rows between unbounded preceding and current row) as {{ as_name }}
        from (
            select {{ columns | join(', ') }}, {{ at }} as sort_time, 1 as is_base, cast(null as date) as fact_time
            from {{ base }}
            union all
            select
                {%- for c in columns %} {{ 'p.' ~ c if c == key else 'null' }} as {{ c }}{{ ',' if not loop.last }}{% endfor %},
                p.{{ fact_at }} as sort_time, 0 as is_base, p.{{ fact_at }} as fact_time
            from {{ facts }} as p
        )
    )
    where is_base = 1
{%- endmacro %}

{#- A timestamp plus a whole number of minutes. -#}
{% macro plus_minutes(ts, minutes) %}{{ return(adapter.dispatch('plus_minutes')(ts, minutes)) }}{% endmacro %}
{% macro default__plus_minutes(ts, minutes) %}{{ ts }} + to_minutes({{ minutes }}){% endmacro %}
{% macro spark__plus_minutes(ts, minutes) %}timestamp_micros(unix_micros({{ ts }}) + cast({{ minutes }} as bigint) * 60000000){% endmacro %}

{#- The distinct elements of a column of lists, over a group, sorted. -#}
{% macro sorted_distinct_flatten(expr) %}{{ return(adapter.dispatch('sorted_distinct_flatten')(expr)) }}{% endmacro %}
{% macro default__sorted_distinct_flatten(expr) %}list_sort(list_distinct(flatten(list({{ expr }})))){% endmacro %}
{% macro spark__sorted_distinct_flatten(expr) %}array_sort(array_distinct(flatten(collect_list({{ expr }})))){% endmacro %}

{#- A date some whole months earlier. -#}
{% macro minus_months(date, months) %}{{ return(adapter.dispatch('minus_months')(date, months)) }}{% endmacro %}
{% macro default__minus_months(date, months) %}{{ date }} - to_months({{ months }}){% endmacro %}
{% macro spark__minus_months(date, months) %}add_months({{ date }}, -({{ months }})){% endmacro %}

{#- The strings of a group joined in the order of `keys` (a list of expressions, each sorted
    ascending: negate a number to sort it descending). -#}
{% macro ordered_string_agg(expr, separator, keys) %}{{ return(adapter.dispatch('ordered_string_agg')(expr, separator, keys)) }}{% endmacro %}
{% macro default__ordered_string_agg(expr, separator, keys) %}string_agg({{ expr }}, {{ separator }} order by {{ keys | join(', ') }}){% endmacro %}
{% macro spark__ordered_string_agg(expr, separator, keys) -%}
    array_join(transform(array_sort(collect_list(struct(
        {%- for k in keys %}{{ k }} as k{{ loop.index }}, {% endfor %}{{ expr }} as v))), e -> e.v), {{ separator }})
{%- endmacro %}
