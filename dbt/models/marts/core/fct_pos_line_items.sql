-- One row per POS item line, with its transaction's day, week, month, quarter, store and
-- customer, so "top products and margin by store" is one query. Incremental like
-- fct_pos_transactions: a refresh recomputes the lines that new staging rows touch (a new or
-- corrected line, or a new or corrected transaction of any line).
{{ config(
    materialized=incremental_or_table(),
    unique_key='line_item_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

{% if is_incremental() %}
touched as (
    select line_item_id from {{ ref('stg_pos__line_items') }}
    where batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    union
    select l.line_item_id
    from {{ ref('stg_pos__line_items') }} as l
    inner join {{ ref('stg_pos__transactions') }} as t using (transaction_id)
    where t.batch_id > (select coalesce(max(transaction_batch_id), 0) from {{ this }})
),
{% endif %}

fiscal as (
    select coalesce(max(fiscal_year_start_month), 1) as start_month
    from {{ source('profile', 'business') }}
)

select
    l.line_item_id,
    l.transaction_id,
    t.transaction_date,
    cast(date_trunc('week', t.transaction_date) as date) as transaction_week,
    t.transaction_month,
    cast(date_trunc('quarter', t.transaction_date) as date) as transaction_quarter,
    {{ fiscal_year('t.transaction_month', '(select start_month from fiscal)') }} as fiscal_year,
    {{ fiscal_quarter('t.transaction_month', '(select start_month from fiscal)') }} as fiscal_quarter,
    t.store_id,
    t.customer_key,
    coalesce(t.is_refund, l.net_sales < 0) as is_refund,
    l.item_sku,
    l.item_name,
    l.category,
    coalesce(c.category_name, l.category) as category_name,
    l.quantity,
    l.unit_price,
    l.discount,
    l.net_sales,
    l.unit_cost,
    l.line_cost,
    l.net_sales - l.line_cost as margin,
    round(100.0 * (l.net_sales - l.line_cost) / nullif(l.net_sales, 0), 2) as margin_pct,
    l.batch_id,
    t.batch_id as transaction_batch_id
from {{ ref('stg_pos__line_items') }} as l
left join {{ ref('stg_pos__transactions') }} as t using (transaction_id)
left join {{ source('profile', 'product_categories') }} as c using (category)
{% if is_incremental() %}where l.line_item_id in (select line_item_id from touched){% endif %}
