with latest as (
    {{ latest_per_key(source('raw', 'pos_line_items'), 'line_item_id') }}
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
