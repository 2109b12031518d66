{#- Raw is append-only: keep the latest version of each business key (latest batch wins,
    then the last row of that batch). -#}
{% macro latest_per_key(relation, key) -%}
    select *
    from {{ relation }}
    qualify row_number() over (partition by {{ key }} order by _batch_id desc, _row_number desc) = 1
{%- endmacro %}

{#- A salted, one-way key in place of a direct identifier (customer id, employee id); null
    stays null. The salt is a secret: it is read at run time from private.hash_salt, which the
    project's dbt-duckdb plugin writes into the warehouse (dagster_project/analysis/
    duckdb_functions.py) and which the analyst copy leaves out, so that no compiled SQL, dbt
    docs page or published file contains it. -#}
{% macro hash_key(expr) -%}
    case when {{ expr }} is null then null
         else left({{ sha256_hex("(select salt from private.hash_salt) || '|' || " ~ expr) }}, 20)
    end
{%- endmacro %}

{#- Free text leaves raw with e-mail addresses and phone numbers masked: customers write
    "call me on 07700 900123" into comments, and texts travel to marts and the report.
    A phone number is a whole token (not part of a longer run of digits, letters or hyphens),
    and a number right after a word such as order, ticket, incident, invoice or ref is an id,
    not a phone: it is marked with chr(1) before masking and unmarked after, so
    "incident 150202-000419" and "order #100234567" stay as written. Run twice: two numbers
    separated by one space share that space as their boundary. -#}
{% macro redact_contacts(expr) -%}
    {%- set phone = "(^|[^0-9A-Za-z#/_.\\x01-])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{2,5}\\)|\\d{2,5})[ .-]?\\d{3,4}[ .-]?\\d{3,4}($|[^0-9A-Za-z/_-]|[.,;:!?](?:\\s|$))" -%}
    {%- set ids = "(?i)(\\b(?:order|ticket|incident|invoice|case|ref|reference|booking|account|receipt|transaction|tracking|no|nr|number)\\.?\\s*(?:no\\.?|number|id)?\\s*[:#]*\\s*)(\\d)" -%}
    {%- set emails = regexp_replace_all(expr, "'[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+'", "'[e-mail removed]'") -%}
    {%- set marked = regexp_replace_all(emails, "'" ~ ids ~ "'", "'\\1' || chr(1) || '\\2'") -%}
    {%- set once = regexp_replace_all(marked, "'" ~ phone ~ "'", "'\\1[phone removed]\\2'") -%}
    replace({{ regexp_replace_all(once, "'" ~ phone ~ "'", "'\\1[phone removed]\\2'") }}, chr(1), '')
{%- endmacro %}

{#- Incremental models read only the raw batches they have not seen: batch ids increase in load
    order, so every raw row with a batch above the highest one the model holds is new. On a
    full refresh (or the first run) every batch is read. -#}
{% macro new_batches(relation, batch_column='batch_id') -%}
    (select * from {{ relation }}
    {%- if is_incremental() %}
     where _batch_id > (select coalesce(max({{ batch_column }}), 0) from {{ this }})
    {%- endif %})
{%- endmacro %}
