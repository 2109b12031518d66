-- Every store: those the business profile lists (config/business.yaml), and every store id the
-- exports use, known or not, so that no store's rows are lost. A store the profile does not
-- name is named from its id (market_square -> Market Square).
with active as (
    select store_id, min(month) as first_month, max(month) as last_month
    from {{ ref('int_store_months_spined') }}
    group by store_id
),

seen as (
    select store_id from active
    union
    select home_store_id from {{ ref('stg_crm__customers') }} where home_store_id is not null
),

profile as (
    select store_id, store_name from {{ source('profile', 'stores') }}
),

stores as (
    select store_id from seen
    union
    select store_id from profile
)

select
    stores.store_id,
    coalesce(
        profile.store_name,
        {{ title_words('stores.store_id') }}
    ) as store_name,
    profile.store_id is not null as is_in_profile,
    active.first_month,
    active.last_month
from stores
left join profile using (store_id)
left join active using (store_id)
