-- Every customer text (NPS comment, support ticket, CSAT comment) with its sentiment and
-- themes, the customer, store and month it belongs to.
with texts as (
    select
        'nps_comment' as source, response_id as text_id, customer_key, store_id,
        responded_at as text_at, score as nps_score, comment as text
    from {{ ref('fct_nps_responses') }}
    where comment is not null
    union all
    select
        'ticket', ticket_id, customer_key, store_id, created_at, null,
        concat_ws('. ', subject, description)
    from {{ ref('fct_support_tickets') }}
    where coalesce(subject, description) is not null
    union all
    select
        'csat_comment', ticket_id, customer_key, store_id, coalesce(solved_at, created_at), null,
        csat_comment
    from {{ ref('fct_support_tickets') }}
    where csat_comment is not null
),

themes as (
    select source, text_id, list(theme order by theme) as themes
    from {{ source('models', 'text_themes') }}
    group by source, text_id
)

select
    t.source,
    t.text_id,
    t.customer_key,
    t.store_id,
    t.text_at,
    cast(date_trunc('month', t.text_at) as date) as text_month,
    t.nps_score,
    t.text,
    s.compound,
    s.label as sentiment_label,
    s.stock_compound,
    coalesce(th.themes, []::varchar[]) as themes,
    s.themes_matched
from texts as t
inner join {{ source('models', 'text_sentiment') }} as s using (source, text_id)
left join themes as th using (source, text_id)
