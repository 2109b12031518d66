-- Candidate themes from the texts no theme explains, most common first: what to add to
-- config/themes.yaml. Computed by the text analysis step over all history.
select
    candidate_rank,
    phrase,
    texts,
    negative_texts,
    top_words,
    example_1,
    example_2,
    example_3,
    theme_yaml
from {{ source('analysis', 'theme_candidates') }}
