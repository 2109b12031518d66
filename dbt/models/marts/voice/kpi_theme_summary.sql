-- Per theme of the taxonomy: mentions, share of all texts, average sentiment, and the theme's
-- pull on NPS: the NPS of respondents whose comment mentions it against those whose comment
-- does not.
with texts as (
    select * from {{ ref('fct_customer_texts') }}
),

catalogue as (
    select * from {{ source('analysis', 'theme_catalogue') }}
),

theme_hits as (
    -- the tone of each theme in its text: of its own clauses when a text has several themes
    select * from {{ source('analysis', 'text_themes') }}
),

mentions as (
    select
        c.theme,
        count(t.text_id) as mentions,
        count(t.text_id) filter (where h.label = 'negative') as negative_mentions,
        round(avg(cast(h.compound as decimal(9, 4))), 3) as avg_sentiment
    from catalogue as c
    left join texts as t on {{ list_has('t.themes', 'c.theme') }}
    left join theme_hits as h
        on h.source = t.source and h.text_id = t.text_id and h.theme = c.theme
    group by c.theme
),

pull as (
    select
        c.theme,
        count(*) filter (where {{ list_has('t.themes', 'c.theme') }}) as nps_n_mentioning,
        {{ nps('t.nps_score', list_has('t.themes', 'c.theme')) }} as nps_mentioning,
        count(*) filter (where not {{ list_has('t.themes', 'c.theme') }}) as nps_n_not_mentioning,
        {{ nps('t.nps_score', 'not ' ~ list_has('t.themes', 'c.theme')) }} as nps_not_mentioning
    from catalogue as c
    cross join (select * from texts where source = 'nps_comment') as t
    group by c.theme
)

select
    c.position,
    c.theme,
    c.label,
    c.description,
    m.mentions,
    (select count(*) from texts) as texts,
    round(100.0 * m.mentions / nullif((select count(*) from texts), 0), 2) as share_of_texts_pct,
    m.negative_mentions,
    m.avg_sentiment,
    p.nps_n_mentioning,
    p.nps_mentioning,
    p.nps_n_not_mentioning,
    p.nps_not_mentioning,
    round(p.nps_mentioning - p.nps_not_mentioning, 1) as nps_pull
from catalogue as c
inner join mentions as m using (theme)
left join pull as p using (theme)
order by c.position
