with latest as (
    {{ latest_per_key(source('raw', 'crm_customers'), 'customer_id') }}
)

select
    {{ hash_key('customer_id') }} as customer_key,
    signup_date,
    home_store as home_store_id,
    loyalty_member as is_loyalty_member,
    email is not null as has_email,
    phone is not null as has_phone,
    _batch_id as batch_id,
    _loaded_at as loaded_at
from latest
