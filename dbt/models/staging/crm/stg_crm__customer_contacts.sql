{{ config(materialized="ephemeral") }}

-- PERSONAL DATA. Names and contact details of CRM customers, keyed by the salted customer key.
-- Used only by owner-facing follow-up lists (rpt_ models); no other model may select from it.
with latest as (
    {{ latest_per_key(source('raw', 'crm_customers'), 'customer_id') }}
)

select
    {{ hash_key('customer_id') }} as customer_key,
    customer_id as crm_customer_id,
    trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) as customer_name,
    email,
    phone
from latest
