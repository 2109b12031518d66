-- Support agents with the display name the owner gave them in the business profile
-- (config/business.yaml, agents); an agent without one is shown by a short salted key.
with named as (
    select {{ hash_key('agent_id') }} as agent_key, max(agent_name) as agent_name
    from {{ source('profile', 'agents') }}
    group by all
),

seen as (
    select distinct agent_key from {{ ref('stg_support__tickets') }} where agent_key is not null
)

select
    seen.agent_key,
    coalesce(named.agent_name, 'Agent ' || left(seen.agent_key, 6)) as agent_name,
    named.agent_name is not null as is_named
from seen
left join named using (agent_key)
