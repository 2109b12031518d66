-- Every piece of feedback placed on the customer journey (config/journey.yaml, as
-- profile.journey_map): online reviews, survey responses and support tickets, each with what
-- its own score says (negative or not), the effort it cost when known, and the tone of its
-- words. An event feeds every stage whose mapping takes it; feedback no stage takes is left out.
with texts as (
    select source, text_id, compound
    from {{ source('analysis', 'text_sentiment') }}
),

events as (
    select
        'review' as source,
        r.review_id as event_id,
        r.platform as source_filter,
        r.store_id,
        {{ null_text() }} as customer_key,
        r.created_at as event_at,
        null::bigint as nps_score,
        r.stars,
        null::bigint as csat_score,
        null::bigint as effort_score,
        r.is_negative,
        null::boolean as is_high_effort,
        t.compound,
        concat_ws('. ', r.title, r.review_text) as verbatim
    from {{ ref('stg_reviews__reviews') }} as r
    left join texts as t on t.source = 'review' and t.text_id = r.review_id
    union all
    select
        'nps', n.response_id, n.touchpoint, n.store_id, n.customer_key, n.responded_at,
        n.score, null, null, n.effort_score,
        n.nps_category = 'detractor',
        not n.is_effort_easy,
        t.compound, n.comment
    from {{ ref('fct_nps_responses') }} as n
    left join texts as t on t.source = 'nps_comment' and t.text_id = n.response_id
    union all
    select
        'ticket', k.ticket_id, null, k.store_id, k.customer_key, k.created_at,
        null, null, k.csat_score, null,
        k.csat_score <= 2,
        k.is_high_effort,
        t.compound, concat_ws('. ', k.subject, k.description)
    from {{ ref('fct_support_tickets') }} as k
    left join texts as t on t.source = 'ticket' and t.text_id = k.ticket_id
)

select
    m.stage,
    m.stage_label,
    m.stage_position,
    e.source,
    e.event_id,
    e.source_filter,
    e.store_id,
    e.customer_key,
    e.event_at,
    cast(date_trunc('month', e.event_at) as date) as event_month,
    e.nps_score,
    e.stars,
    e.csat_score,
    e.effort_score,
    e.is_negative,
    e.is_high_effort,
    coalesce(e.is_negative, false) or coalesce(e.is_high_effort, false) as is_bad_experience,
    e.compound,
    e.verbatim
from events as e
inner join {{ source('profile', 'journey_map') }} as m
    on m.source = e.source and (m.source_filter is null or m.source_filter = e.source_filter)
