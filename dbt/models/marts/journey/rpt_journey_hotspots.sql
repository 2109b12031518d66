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

-- the month's bad experiences in distinct words, for the whole business and per store, the
-- most negative first; the first three become the hotspot's verbatims
words as (
    select
        stage,
        event_month as month,
        case when grouping(store_id) = 1 then 'business' else 'store' end as scope,
        store_id,
        verbatim,
        min(compound) as compound,
        min(event_id) as event_id
    from {{ ref('fct_journey_events') }}
    where is_bad_experience and verbatim is not null and verbatim <> ''
    group by grouping sets (
        (stage, event_month, verbatim), (stage, event_month, store_id, verbatim)
    )
),

verbatims as (
    select
        stage,
        month,
        scope,
        store_id,
        max(verbatim) filter (where n = 1) as verbatim_1,
        max(verbatim) filter (where n = 2) as verbatim_2,
        max(verbatim) filter (where n = 3) as verbatim_3
    from (
        select
            *,
            row_number() over (
                partition by stage, month, scope, store_id
                order by compound nulls last, length(verbatim), event_id
            ) as n
        from words
    )
    where n <= 3
    group by all
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
    v.verbatim_1,
    v.verbatim_2,
    v.verbatim_3
from changes as c
left join verbatims as v
    on v.stage = c.stage and v.month = c.month and v.scope = c.scope
    and v.store_id is not distinct from c.store_id
