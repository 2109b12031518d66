-- Every store id, staff role and product category the exports use, with where and since when,
-- against the business profile (config/business.yaml). A value the profile does not list is
-- loaded all the same: when the profile lists values of its kind, it is "new" and the Data
-- quality page asks the owner to add it (a new store, a misspelt id, a renamed role); when
-- the profile lists none, the values are learned from the data.
with used as (
    select 'store' as kind, store_id as value, 'pos_transactions' as source, transaction_date as seen_on
    from {{ ref('stg_pos__transactions') }}
    union all
    select 'store', home_store_id, 'crm_customers', signup_date from {{ ref('stg_crm__customers') }}
    union all
    select 'store', store_id, 'nps_responses', cast(responded_at as date) from {{ ref('stg_nps__responses') }}
    union all
    select 'store', store_id, 'support_tickets', cast(created_at as date) from {{ ref('stg_support__tickets') }}
    union all
    select 'store', store_id, 'hr_employees', hire_date from {{ ref('stg_hr__employees') }}
    union all
    select 'store', store_id, 'hr_engagement_responses', survey_month from {{ ref('stg_hr__engagement_responses') }}
    union all
    select 'role', role, 'hr_employees', hire_date from {{ ref('stg_hr__employees') }}
    union all
    select 'product_category', l.category, 'pos_line_items', t.transaction_date
    from {{ ref('stg_pos__line_items') }} as l
    left join {{ ref('stg_pos__transactions') }} as t using (transaction_id)
),

listed as (
    select 'store' as kind, store_id as value from {{ source('profile', 'stores') }}
    union all
    select 'role', role from {{ source('profile', 'roles') }}
    union all
    select 'product_category', category from {{ source('profile', 'product_categories') }}
),

seen as (
    select
        kind,
        value,
        count(*) as rows,
        {{ sorted_distinct_string_agg('source', "', '") }} as sources,
        min(seen_on) as first_seen,
        max(seen_on) as last_seen
    from used
    where value is not null
    group by kind, value
)

select
    seen.kind,
    seen.value,
    seen.rows,
    seen.sources,
    seen.first_seen,
    seen.last_seen,
    listed.value is not null as is_in_profile,
    listed.value is null and seen.kind in (select kind from listed) as is_new
from seen
left join listed using (kind, value)
