select count(*) as unmatched, (select count(*) from marts.fct_customer_texts) as texts,
       (select count(*) filter (where sentiment_label = 'negative') from marts.fct_customer_texts) as negative
from marts.rpt_unmatched_texts
