-- Theme mentions by month: count, share of the month's texts, average sentiment.
with texts as (
    select * from {{ ref('fct_customer_texts') }}
),

months as (
    select text_month, count(*) as texts from texts group by text_month
)

select
    c.theme,
    c.label,
    m.text_month as month,
    count(t.text_id) as mentions,
    m.texts,
    round(100.0 * count(t.text_id) / m.texts, 2) as share_of_texts_pct,
    round(avg(cast(h.compound as decimal(9, 4))), 3) as avg_sentiment
from {{ source('analysis', 'theme_catalogue') }} as c
cross join months as m
left join texts as t on t.text_month = m.text_month and {{ list_has('t.themes', 'c.theme') }}
left join {{ source('analysis', 'text_themes') }} as h
    on h.source = t.source and h.text_id = t.text_id and h.theme = c.theme
group by c.theme, c.label, m.text_month, m.texts
