-- The help desk's own measures per month of ticket creation (fct_support_ticket_metrics):
-- medians in business minutes of the time the customer waited, the team worked, the ticket sat
-- on hold and the next replies took, and the shares of touches, hand-offs and reopenings.
-- The status measures count the tickets with an event history only.
select
    created_month as month,
    count(*) as tickets,
    count(*) filter (where has_event_history) as tickets_with_history,
    median(requester_wait_business_minutes) as median_requester_wait_business_minutes,
    median(agent_work_business_minutes) as median_agent_work_business_minutes,
    median(agent_wait_business_minutes) as median_agent_wait_business_minutes,
    count(*) filter (where on_hold_minutes > 0) as tickets_on_hold,
    median(on_hold_business_minutes) filter (where on_hold_minutes > 0)
        as median_on_hold_business_minutes,
    sum(next_replies) as next_replies,
    median(avg_next_reply_business_minutes) as median_next_reply_business_minutes,
    count(*) filter (where touches is not null) as solved_tickets,
    round(100.0 * count(*) filter (where touches = 'one_touch')
        / nullif(count(*) filter (where touches is not null), 0), 1) as one_touch_pct,
    round(100.0 * count(*) filter (where touches = 'two_touch')
        / nullif(count(*) filter (where touches is not null), 0), 1) as two_touch_pct,
    round(100.0 * count(*) filter (where touches = 'multi_touch')
        / nullif(count(*) filter (where touches is not null), 0), 1) as multi_touch_pct,
    round(100.0 * count(*) filter (where handoffs > 0)
        / nullif(count(*) filter (where has_event_history), 0), 1) as handed_off_pct
from {{ ref('fct_support_ticket_metrics') }}
group by created_month
