-- PERSONAL DATA (owner-facing follow-up list): recent detractors and negative tickets of known
-- customers with no later positive interaction (NPS 9-10, CSAT 4-5 or a positive text): who
-- is waiting for someone to call them back, with the verbatim and how long they have waited.
with dates as (
    select * from {{ ref('int_clv_dates') }}
),

events as (
    select
        'detractor (NPS ' || score || ')' as reason, response_id as item_id, customer_key,
        store_id, responded_at as event_at, comment as verbatim
    from {{ ref('fct_nps_responses') }}
    where nps_category = 'detractor'
    union all
    select 'negative ticket', text_id, customer_key, store_id, text_at, text
    from {{ ref('fct_customer_texts') }}
    where source = 'ticket' and sentiment_label = 'negative'
),

positives as (
    select customer_key, responded_at as positive_at from {{ ref('fct_nps_responses') }}
    where nps_category = 'promoter'
    union all
    select customer_key, solved_at from {{ ref('fct_support_tickets') }} where is_csat_satisfied
    union all
    select customer_key, text_at from {{ ref('fct_customer_texts') }} where sentiment_label = 'positive'
)

select
    e.reason,
    e.item_id,
    e.customer_key,
    k.customer_name,
    k.email,
    k.phone,
    e.store_id,
    e.event_at,
    {{ units_between('day', "cast(e.event_at as date)", "d.observation_end") }} as days_waiting,
    e.verbatim
from events as e
cross join dates as d
left join {{ ref('stg_crm__customer_contacts') }} as k using (customer_key)
where e.customer_key is not null
  and cast(e.event_at as date) > {{ minus_days('d.observation_end', 'cast(' ~ var('follow_up_days') ~ ' as integer)') }}
  and not exists (
      select 1 from positives as p
      where p.customer_key = e.customer_key and p.positive_at > e.event_at
  )
order by days_waiting desc, e.event_at
