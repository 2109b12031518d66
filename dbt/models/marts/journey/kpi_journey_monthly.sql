-- How each stage of the customer journey felt, per month, for the whole business and per store:
-- volume, the share of bad experiences (a negative score or high effort) and its change on the
-- months before (pooled) with a 95% interval, effort, NPS, stars, CSAT, the tone of the words and the
-- themes of the bad experiences.
with events as (
    select * from {{ ref('fct_journey_events') }}
),

text_source as (
    select 'review' as source, 'review' as text_source union all
    select 'nps', 'nps_comment' union all
    select 'ticket', 'ticket'
),

bad_themes as (
    select
        e.stage,
        e.event_month as month,
        case when grouping(e.store_id) = 1 then 'business' else 'store' end as scope,
        e.store_id,
        h.theme,
        count(*) as mentions
    from events as e
    inner join text_source using (source)
    inner join {{ source('analysis', 'text_themes') }} as h
        on h.source = text_source.text_source and h.text_id = e.event_id
    where e.is_bad_experience
    group by grouping sets (
        (e.stage, e.event_month, h.theme), (e.stage, e.event_month, e.store_id, h.theme)
    )
),

themes as (
    select
        stage, month, scope, store_id,
        {{ ordered_string_agg("theme || ' (' || mentions || ')'", "', '", ['-mentions', 'theme']) }}
            as top_themes
    from (
        select
            *,
            row_number() over (
                partition by stage, month, scope, store_id order by mentions desc, theme
            ) as n
        from bad_themes
    )
    where n <= 3
    group by all
),

monthly as (
    select
        event_month as month,
        stage,
        any_value(stage_label) as stage_label,
        any_value(stage_position) as stage_position,
        case when grouping(store_id) = 1 then 'business' else 'store' end as scope,
        store_id,
        count(*) as events,
        count(*) filter (where is_bad_experience) as bad_experiences,
        count(is_negative) as scored_events,
        count(*) filter (where is_negative) as negative_events,
        count(is_high_effort) as effort_known_events,
        count(*) filter (where is_high_effort) as high_effort_events,
        round(avg(effort_score::decimal(9, 4)), 2)::double as avg_effort_score,
        count(nps_score) as nps_responses,
        {{ nps('nps_score') }} as nps,
        count(stars) as reviews,
        round(avg(stars::decimal(9, 4)), 2)::double as avg_stars,
        count(csat_score) as csat_ratings,
        {{ csat_pct('csat_score') }} as csat_pct,
        count(compound) as texts,
        round(avg(compound::decimal(9, 4)), 3)::double as avg_sentiment
    from events
    group by grouping sets ((event_month, stage), (event_month, stage, store_id))
),

-- the comparison: the months before, pooled (var journey_baseline_months, 3 by default), so
-- that a small business's change is measured against more than one month's few events
baseline as (
    select
        m.month,
        m.stage,
        m.scope,
        m.store_id,
        sum(b.events)::bigint as events,
        sum(b.bad_experiences)::bigint as bad_experiences
    from monthly as m
    inner join monthly as b
        on b.stage = m.stage and b.scope = m.scope and b.store_id is not distinct from m.store_id
        and b.month >= {{ minus_months('m.month', var('journey_baseline_months')) }}
        and b.month < m.month
    group by all
)

select
    m.month,
    m.stage,
    m.stage_label,
    m.stage_position,
    m.scope,
    m.store_id,
    m.events,
    m.bad_experiences,
    round(100.0 * m.bad_experiences / m.events, 1) as bad_experience_pct,
    p.events as previous_events,
    round(100.0 * p.bad_experiences / p.events, 1) as previous_bad_experience_pct,
    round(100.0 * m.bad_experiences / m.events - 100.0 * p.bad_experiences / p.events, 1)
        as bad_experience_pct_change,
    {{ proportion_change_interval('m.bad_experiences', 'm.events', 'p.bad_experiences', 'p.events', 'low') }}
        as change_ci_low,
    {{ proportion_change_interval('m.bad_experiences', 'm.events', 'p.bad_experiences', 'p.events', 'high') }}
        as change_ci_high,
    m.scored_events,
    m.negative_events,
    m.effort_known_events,
    m.high_effort_events,
    round(100.0 * m.high_effort_events / nullif(m.effort_known_events, 0), 1) as high_effort_pct,
    m.avg_effort_score,
    m.nps_responses,
    m.nps,
    m.reviews,
    m.avg_stars,
    m.csat_ratings,
    m.csat_pct,
    m.texts,
    m.avg_sentiment,
    t.top_themes
from monthly as m
left join baseline as p
    on p.stage = m.stage and p.scope = m.scope and p.store_id is not distinct from m.store_id
    and p.month = m.month
left join themes as t
    on t.stage = m.stage and t.month = m.month and t.scope = m.scope
    and t.store_id is not distinct from m.store_id
