-- NPS with its n and a 95% interval, overall and by store, month, touchpoint and store-month.
-- A cell with fewer responses than var('nps_min_n') shows no figure (is_suppressed).
with cells as (
    select
        case
            when grouping(store_id) = 0 and grouping(response_month) = 0 then 'store_month'
            when grouping(store_id) = 0 then 'store'
            when grouping(response_month) = 0 then 'month'
            when grouping(touchpoint) = 0 then 'touchpoint'
            else 'overall'
        end as breakdown,
        store_id,
        response_month as month,
        touchpoint,
        count(*) as responses,
        count(*) filter (where {{ nps_category('score') }} = 'promoter') as promoters,
        count(*) filter (where {{ nps_category('score') }} = 'detractor') as detractors,
        {{ nps('score') }} as nps_unsuppressed,
        count(effort_score) as effort_responses,
        round(avg(effort_score::decimal(9, 4)), 2)::double as avg_effort_score,
        round(100.0 * count(*) filter (where not is_effort_easy) / nullif(count(effort_score), 0), 1)
            as hard_effort_pct
    from {{ ref('fct_nps_responses') }}
    group by grouping sets ((), (store_id), (response_month), (touchpoint), (store_id, response_month))
)

select
    breakdown,
    store_id,
    month,
    touchpoint,
    responses,
    promoters,
    detractors,
    responses < cast({{ var('nps_min_n') }} as integer) as is_suppressed,
    case when responses >= cast({{ var('nps_min_n') }} as integer) then nps_unsuppressed end as nps,
    case when responses >= cast({{ var('nps_min_n') }} as integer)
        then {{ nps_interval('promoters', 'detractors', 'responses', 'low') }} end as nps_low,
    case when responses >= cast({{ var('nps_min_n') }} as integer)
        then {{ nps_interval('promoters', 'detractors', 'responses', 'high') }} end as nps_high,
    cast({{ var('nps_min_n') }} as integer) as min_n,
    effort_responses,
    avg_effort_score,
    hard_effort_pct
from cells
