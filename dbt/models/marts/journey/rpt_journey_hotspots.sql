-- Where it hurts: for each month, the stages (for the whole business and per store) whose share
-- of bad experiences rose most on the months before (pooled), ranked by the lower end of the change's 95%
-- interval (a rise that could be chance ranks below a sure one), with n and up to three of the
-- month's bad experiences in the customers' words.
with changes as (
    select *
    from {{ ref('kpi_journey_monthly') }}
    where bad_experience_pct_change > 0
        and events >= {{ var('hotspot_min_n') }} and previous_events >= {{ var('hotspot_min_n') }}
),

-- the month's bad experiences in distinct words, the most negative first
words as (
    select
        stage, event_month as month, store_id, verbatim,
        min(compound) as compound, min(event_id) as event_id
    from {{ ref('fct_journey_events') }}
    where is_bad_experience and verbatim is not null and verbatim <> ''
    group by all
),

verbatims as (
    select
        *,
        row_number() over (
            partition by stage, month, store_id
            order by compound nulls last, length(verbatim), event_id
        ) as n
    from words
),

business_verbatims as (
    select
        stage, month, verbatim,
        row_number() over (
            partition by stage, month order by min(compound) nulls last, length(verbatim),
            min(event_id)
        ) as n
    from words
    group by stage, month, verbatim
)

select
    c.month,
    row_number() over (
        partition by c.month order by c.change_ci_low desc, c.bad_experience_pct_change desc,
        c.stage_position, c.scope, c.store_id
    ) as hotspot_rank,
    c.stage,
    c.stage_label,
    c.scope,
    c.store_id,
    c.events,
    c.previous_events,
    c.bad_experience_pct,
    c.previous_bad_experience_pct,
    c.bad_experience_pct_change,
    c.change_ci_low,
    c.change_ci_high,
    c.change_ci_low > 0 as is_clear_rise,
    c.high_effort_pct,
    c.top_themes,
    coalesce(v1.verbatim, b1.verbatim) as verbatim_1,
    coalesce(v2.verbatim, b2.verbatim) as verbatim_2,
    coalesce(v3.verbatim, b3.verbatim) as verbatim_3
from changes as c
left join verbatims as v1
    on c.scope = 'store' and v1.stage = c.stage and v1.month = c.month
    and v1.store_id is not distinct from c.store_id and v1.n = 1
left join verbatims as v2
    on c.scope = 'store' and v2.stage = c.stage and v2.month = c.month
    and v2.store_id is not distinct from c.store_id and v2.n = 2
left join verbatims as v3
    on c.scope = 'store' and v3.stage = c.stage and v3.month = c.month
    and v3.store_id is not distinct from c.store_id and v3.n = 3
left join business_verbatims as b1
    on c.scope = 'business' and b1.stage = c.stage and b1.month = c.month and b1.n = 1
left join business_verbatims as b2
    on c.scope = 'business' and b2.stage = c.stage and b2.month = c.month and b2.n = 2
left join business_verbatims as b3
    on c.scope = 'business' and b3.stage = c.stage and b3.month = c.month and b3.n = 3
