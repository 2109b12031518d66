-- Incremental (a large fact): a refresh recomputes only the transactions that new staging rows
-- touch (a new or corrected transaction, or new or corrected item lines of any transaction).
{{ config(
    materialized=incremental_or_table(),
    unique_key='transaction_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

{% if is_incremental() %}
touched as (
    select transaction_id from {{ ref('stg_pos__transactions') }}
    where batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    union
    select transaction_id from {{ ref('stg_pos__line_items') }}
    where batch_id > (select coalesce(max(lines_batch_id), 0) from {{ this }})
),
{% endif %}

lines as (
    select
        transaction_id,
        count(*) as lines,
        round(sum(quantity), 3) as item_units,
        round(sum(net_sales), 2) as lines_net_sales,
        -- cost only when every line carries it; otherwise unknown
        case when count(unit_cost) = count(*) then sum(line_cost) end as lines_cost,
        max(batch_id) as lines_batch_id
    from {{ ref('stg_pos__line_items') }}
    {% if is_incremental() %}where transaction_id in (select transaction_id from touched){% endif %}
    group by transaction_id
)

select
    t.transaction_id,
    t.transaction_at,
    t.transaction_date,
    t.transaction_month,
    t.store_id,
    t.customer_key,
    t.is_walk_in,
    t.is_refund,
    t.payment_method,
    t.gross_sales,
    t.discounts,
    t.net_sales,
    t.tax,
    t.refund_of_transaction_id,
    coalesce(l.lines, 0) as lines,
    coalesce(l.item_units, 0) as item_units,
    l.lines_net_sales,
    l.lines_cost,
    t.batch_id,
    l.lines_batch_id
from {{ ref('stg_pos__transactions') }} as t
left join lines as l using (transaction_id)
{% if is_incremental() %}where t.transaction_id in (select transaction_id from touched){% endif %}
