-- Team figures per store and month, each with its definition:
--   turnover rate = leavers / average headcount ((start + end) / 2), monthly and over the
--   trailing 12 months (leavers in 12 months / mean of the 12 average headcounts);
--   voluntary = resigned, relocated or retired; involuntary = dismissed or end of contract;
--   early attrition = leavers within 90 days of hire;
--   absence rate = unplanned absence hours / (scheduled hours - planned leave hours), where
--   scheduled hours = contracted weekly hours / 5 per weekday employed, an absence episode is
--   spread over its scheduled days (int_absence_days_spread) and planned leave is holiday; engagement figures are withheld (null, is_engagement_suppressed) when fewer
--   than var('min_group_size') people answered the pulse survey.
with staff as (
    select
        s.store_id,
        s.month,
        count(*) filter (where e.employed_at_start) as headcount_start,
        count(*) filter (where e.employed_at_end) as headcount_end,
        count(*) filter (where e.hired_in_month) as hires,
        count(*) filter (where e.left_in_month) as leavers,
        count(*) filter (where e.left_in_month
            and e.termination_reason in ('resigned', 'relocated', 'retired')) as voluntary_leavers,
        count(*) filter (where e.left_in_month
            and e.termination_reason in ('dismissed', 'end_of_contract')) as involuntary_leavers,
        count(*) filter (where e.left_in_month
            and {{ units_between('day', "e.hire_date", "e.termination_date") }} < 90) as early_leavers,
        coalesce(sum(e.scheduled_hours), 0) as scheduled_hours
    from {{ ref('int_store_months_spined') }} as s
    left join {{ ref('int_employee_months_expanded') }} as e
        on e.store_id = s.store_id and e.month = s.month
    group by s.store_id, s.month
),

survey as (
    select
        store_id,
        survey_month as month,
        count(*) as survey_responses,
        {{ engagement_index() }} as engagement_index,
        {{ nps('enps_score') }} as enps,
        avg(item_valued) as item_valued,
        avg(item_listened_to) as item_listened_to,
        avg(item_tools) as item_tools,
        avg(item_growth) as item_growth,
        avg(item_workload) as item_workload
    from {{ ref('stg_hr__engagement_responses') }}
    group by all
),

absence as (
    select
        e.store_id,
        a.absence_month as month,
        coalesce(sum(a.hours) filter (where not a.is_planned_leave), 0) as absence_hours,
        coalesce(sum(a.hours) filter (where a.is_planned_leave), 0) as leave_hours
    from {{ ref('int_absence_days_spread') }} as a
    inner join {{ ref('dim_employees') }} as e using (employee_key)
    group by all
),

joined as (
    select
        staff.*,
        (staff.headcount_start + staff.headcount_end) / 2.0 as avg_headcount,
        coalesce(survey.survey_responses, 0) as survey_responses,
        survey.engagement_index,
        survey.enps,
        survey.item_valued, survey.item_listened_to, survey.item_tools, survey.item_growth,
        survey.item_workload,
        coalesce(absence.absence_hours, 0) as absence_hours,
        coalesce(absence.leave_hours, 0) as leave_hours
    from staff
    left join survey using (store_id, month)
    left join absence using (store_id, month)
),

-- Complementary suppression: a store-month with fewer than var('min_group_size') respondents
-- is hidden, and so are the next smallest stores of that month, until at least two are hidden
-- and together they hold at least var('min_group_size') respondents (or all are): otherwise
-- the company figure minus the shown stores would give the hidden one away.
ranked as (
    select
        store_id,
        month,
        survey_responses,
        row_number() over (partition by month order by survey_responses, store_id) as rk,
        sum(survey_responses) over (
            partition by month order by survey_responses, store_id
            rows between unbounded preceding and current row
        ) as cum_responses,
        sum(case when survey_responses < {{ var('min_group_size') }} then 1 else 0 end)
            over (partition by month) as small_groups
    from joined
    where survey_responses > 0
),

cut as (
    select
        month,
        max(small_groups) as small_groups,
        coalesce(
            min(rk) filter (
                where rk >= greatest(small_groups, 2)
                and cum_responses >= {{ var('min_group_size') }}
            ),
            max(rk)
        ) as hide_up_to
    from ranked
    group by month
),

hidden as (
    select r.store_id, r.month
    from ranked as r
    inner join cut as c using (month)
    where c.small_groups > 0 and r.rk <= c.hide_up_to
)

select
    store_id,
    month,
    headcount_start,
    headcount_end,
    avg_headcount,
    hires,
    leavers,
    voluntary_leavers,
    involuntary_leavers,
    early_leavers,
    round(100.0 * leavers / nullif(avg_headcount, 0), 2) as turnover_rate_pct,
    round(100.0 * sum(leavers) over w12 / nullif(avg(avg_headcount) over w12, 0), 2)
        as turnover_rate_12m_pct,
    count(*) over w12 as months_in_12m_window,
    round(scheduled_hours, 1) as scheduled_hours,
    round(absence_hours, 1) as absence_hours,
    round(leave_hours, 1) as leave_hours,
    round(100.0 * absence_hours / nullif(scheduled_hours - leave_hours, 0), 2) as absence_rate_pct,
    survey_responses,
    survey_responses < {{ var('min_group_size') }} or h.store_id is not null
        as is_engagement_suppressed,
    case
        when survey_responses < {{ var('min_group_size') }} then 'small_group'
        when h.store_id is not null then 'protects_small_group'
    end as engagement_suppression,
    {%- for col, digits in [('engagement_index', 2), ('enps', 1), ('item_valued', 2), ('item_listened_to', 2), ('item_tools', 2), ('item_growth', 2), ('item_workload', 2)] %}
    case when survey_responses >= {{ var('min_group_size') }} and h.store_id is null
        then round({{ col }}, {{ digits }}) end as {{ col }}{{ ',' if not loop.last }}
    {%- endfor %}
from joined
left join hidden as h using (store_id, month)
window w12 as (partition by store_id order by month rows between 11 preceding and current row)
