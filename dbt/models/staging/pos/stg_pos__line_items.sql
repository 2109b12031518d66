-- Incremental (a large fact): each refresh reads only the new raw batches and replaces the
-- rows of the keys they carry (the latest batch wins, as for every staging model).
{{ config(
    materialized=incremental_or_table(),
    unique_key='line_item_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with latest as (
    {{ latest_per_key(new_batches(source('raw', 'pos_line_items')), 'line_item_id') }}
)

select
    line_item_id,
    transaction_id,
    item_sku,
    item_name,
    category,
    quantity,
    unit_price,
    discount,
    net_sales,
    unit_cost,
    quantity * unit_cost as line_cost,
    _batch_id as batch_id
from latest
