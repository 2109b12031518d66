-- Incremental (a large fact): each refresh reads only the new raw batches and replaces the
-- rows of the keys they carry (the latest batch wins, as for every staging model).
{{ config(
    materialized=incremental_or_table(),
    unique_key='transaction_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with latest as (
    {{ latest_per_key(new_batches(source('raw', 'pos_transactions')), 'transaction_id') }}
)

select
    transaction_id,
    transaction_at,
    cast(transaction_at as date) as transaction_date,
    cast(date_trunc('month', transaction_at) as date) as transaction_month,
    store_id,
    {{ hash_key('customer_id') }} as customer_key,
    customer_id is null as is_walk_in,
    event_type,
    event_type = 'refund' as is_refund,
    payment_method,
    gross_sales,
    discounts,
    net_sales,
    tax,
    refund_of_transaction_id,
    {{ hash_key('staff_id') }} as staff_key,
    _batch_id as batch_id
from latest
