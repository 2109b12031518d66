select source, text_month, sentiment_label, text
from marts.rpt_unmatched_texts
order by text_month desc, source, text_id
limit 15
