select candidate_rank, phrase, texts, negative_texts, top_words,
       concat_ws(' | ', example_1, example_2, example_3) as examples, theme_yaml
from marts.rpt_theme_candidates
order by candidate_rank
