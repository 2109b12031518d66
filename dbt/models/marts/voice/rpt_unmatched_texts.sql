-- Texts that match no theme of the taxonomy: what config/themes.yaml misses.
select source, text_id, text_month, sentiment_label, compound, text
from {{ ref('fct_customer_texts') }}
where themes_matched = 0
