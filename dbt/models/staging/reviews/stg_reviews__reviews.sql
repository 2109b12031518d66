-- Online reviews in their latest state (an edited or replied-to review supersedes its earlier
-- export). The reviewer's name stays in raw; the text has contact details masked.
with latest as (
    {{ latest_per_key(source('raw', 'online_reviews'), 'review_id') }}
),

stars as (
    select *, {{ review_stars('rating', 'rating_scale') }} as stars
    from latest
)

select
    review_id,
    platform,
    store_id,
    rating,
    coalesce(rating_scale, 5) as rating_scale,
    stars,
    stars >= 4 as is_positive,
    stars <= 2 as is_negative,
    {{ redact_contacts("title") }} as title,
    {{ redact_contacts("review_text") }} as review_text,
    created_at,
    updated_at,
    experience_date,
    {{ redact_contacts("reply_text") }} as reply_text,
    replied_at,
    round({{ units_between('minute', 'created_at', 'replied_at') }} / 60.0, 1) as reply_hours,
    _batch_id as batch_id
from stars
