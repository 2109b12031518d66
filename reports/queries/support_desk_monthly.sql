select month, tickets, tickets_with_history, median_requester_wait_business_minutes,
       median_agent_work_business_minutes, median_agent_wait_business_minutes, tickets_on_hold,
       median_on_hold_business_minutes, next_replies, median_next_reply_business_minutes,
       solved_tickets, one_touch_pct, two_touch_pct, multi_touch_pct, handed_off_pct
from marts.kpi_support_desk_monthly
order by month
