-- Every ticket against every SLA target (seed sla_policies): when it fell due, whether it was
-- met, missed, or is still open within or past it as of the export's newest timestamp.
select
    s.ticket_id,
    s.metric,
    s.instance_id,
    t.store_id,
    t.channel,
    t.created_month,
    s.target_minutes,
    s.in_business_hours,
    s.started_at,
    s.breach_at,
    s.achieved_at,
    s.as_of,
    s.elapsed_minutes,
    -- a clock that never reached its target (no breach_at) was not breached
    coalesce(coalesce(s.achieved_at, s.as_of) > s.breach_at, false) as is_breached,
    case
        when s.achieved_at is not null and s.achieved_at > s.breach_at then 'breached'
        when s.achieved_at is not null then 'achieved'
        when s.as_of > s.breach_at then 'open_breached'
        else 'open_within_target'
    end as sla_status,
    greatest(0, s.elapsed_minutes - s.target_minutes) as minutes_over_target
from {{ ref('int_ticket_sla_clock') }} as s
inner join {{ ref('fct_support_tickets') }} as t using (ticket_id)
