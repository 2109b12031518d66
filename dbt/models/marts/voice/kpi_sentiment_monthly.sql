-- Sentiment of customer texts by store, month and kind of text.
select
    coalesce(store_id, 'unknown') as store_id,
    text_month as month,
    source,
    count(*) as texts,
    round(avg(cast(compound as decimal(9, 4))), 3) as avg_sentiment,
    count(*) filter (where sentiment_label = 'negative') as negative_texts,
    round(100.0 * count(*) filter (where sentiment_label = 'negative') / count(*), 1)
        as negative_share_pct
from {{ ref('fct_customer_texts') }}
group by all
