-- Online reviews per month, platform and store: how many, how they rate the business, how
-- they sound, and how fast the owner answers them in public.
with reviews as (
    select *, cast(date_trunc('month', created_at) as date) as month
    from {{ ref('stg_reviews__reviews') }}
),

sentiment as (
    select text_id as review_id, compound
    from {{ source('analysis', 'text_sentiment') }}
    where source = 'review'
)

select
    r.month,
    r.platform,
    r.store_id,
    count(*) as reviews,
    round(avg(r.stars::decimal(9, 4)), 2)::double as avg_stars,
    count(*) filter (where r.is_positive) as positive_reviews,
    count(*) filter (where r.is_negative) as negative_reviews,
    round(100.0 * count(*) filter (where r.is_negative) / count(*), 1) as negative_pct,
    count(s.compound) as reviews_with_text,
    round(avg(s.compound::decimal(9, 4)), 3)::double as avg_sentiment,
    count(r.replied_at) as replied_reviews,
    count(*) filter (
        where r.reply_hours <= {{ var('review_reply_target_hours') }}
    ) as answered_in_time,
    round(100.0 * count(*) filter (
        where r.reply_hours <= {{ var('review_reply_target_hours') }}
    ) / count(*), 1) as answered_in_time_pct,
    median(r.reply_hours) as median_reply_hours
from reviews as r
left join sentiment as s using (review_id)
group by all
