-- Team figures per store and month. Engagement figures are suppressed (null, with
-- is_engagement_suppressed) when fewer than var('min_group_size') people answered.
with staff as (
    select
        s.store_id,
        s.month,
        count(*) filter (where e.hire_date <= s.month_end
            and (e.termination_date is null or e.termination_date > s.month_end)) as headcount_end,
        count(*) filter (where e.hire_date between s.month and s.month_end) as hires,
        count(*) filter (where e.termination_date between s.month and s.month_end) as leavers
    from {{ ref('int_store_months_spined') }} as s
    left join {{ ref('dim_employees') }} as e on e.store_id = s.store_id
    group by all
),

survey as (
    select
        store_id,
        survey_month as month,
        count(*) as survey_responses,
        {{ engagement_index() }} as engagement_index,
        {{ nps('enps_score') }} as enps
    from {{ ref('stg_hr__engagement_responses') }}
    group by all
),

absence as (
    select e.store_id, a.absence_month as month, sum(a.hours) as absence_hours
    from {{ ref('stg_hr__absences') }} as a
    inner join {{ ref('dim_employees') }} as e using (employee_key)
    group by all
)

select
    staff.store_id,
    staff.month,
    staff.headcount_end,
    staff.hires,
    staff.leavers,
    coalesce(survey.survey_responses, 0) as survey_responses,
    coalesce(survey.survey_responses, 0) < {{ var('min_group_size') }} as is_engagement_suppressed,
    case when survey.survey_responses >= {{ var('min_group_size') }}
        then round(survey.engagement_index, 2) end as engagement_index,
    case when survey.survey_responses >= {{ var('min_group_size') }}
        then round(survey.enps, 1) end as enps,
    round(coalesce(absence.absence_hours, 0), 1) as absence_hours
from staff
left join survey using (store_id, month)
left join absence using (store_id, month)
