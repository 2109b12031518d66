-- Support experience by month, channel and agent (agents as salted employee keys), with the
-- sentiment of the tickets' texts. Definitions as Zendesk documents them: first reply time
-- and full resolution time from creation, in calendar and business minutes; one-touch = solved
-- after a single agent reply and never reopened; CSAT = share of ratings that are 4 or 5.
with t as (
    select f.*, s.compound as ticket_sentiment, s.label as ticket_sentiment_label
    from {{ ref('fct_support_tickets') }} as f
    left join {{ source('analysis', 'text_sentiment') }} as s
        on s.source = 'ticket' and s.text_id = f.ticket_id
)

select
    case
        when grouping(created_month) = 0 and grouping(channel) = 0 then 'month_channel'
        when grouping(created_month) = 0 then 'month'
        when grouping(channel) = 0 then 'channel'
        when grouping(agent_key) = 0 then 'agent'
        else 'overall'
    end as breakdown,
    created_month as month,
    channel,
    agent_key,
    {{ support_experience_measures() }},
    round(avg(cast(ticket_sentiment as decimal(9, 4))), 3) as avg_ticket_sentiment,
    round(100.0 * count(*) filter (where ticket_sentiment_label = 'negative') / count(*), 1)
        as negative_ticket_pct
from t
group by grouping sets ((), (created_month), (channel), (agent_key), (created_month, channel))
