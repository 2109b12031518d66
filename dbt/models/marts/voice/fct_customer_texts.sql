-- Every customer text (NPS comment, support ticket, CSAT comment) with its sentiment and
-- themes, the customer, store and month it belongs to.
with texts as (
    select * from {{ ref('int_customer_texts_unioned') }}
),

themes as (
    select source, text_id, {{ sorted_list('theme') }} as themes
    from {{ source('analysis', 'text_themes') }}
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
    coalesce(th.themes, {{ empty_text_list() }}) as themes,
    s.themes_matched
from texts as t
inner join {{ source('analysis', 'text_sentiment') }} as s using (source, text_id)
left join themes as th using (source, text_id)
