-- The owner's headline figures per month for the whole business, each with its n.
-- Distinct counts and medians are computed over the whole business, not summed over stores.
with sales as (
    select
        transaction_month as month,
        round(sum(net_sales), 2) as net_revenue,
        count(*) filter (where not is_refund) as payments,
        count(distinct customer_key) filter (where not is_refund) as active_customers,
        round(sum(net_sales) / nullif(count(*) filter (where not is_refund), 0), 2) as average_ticket
    from {{ ref('fct_pos_transactions') }}
    group by all
),

nps as (
    select response_month as month, count(*) as nps_responses, {{ nps('score') }} as nps
    from {{ ref('fct_nps_responses') }}
    group by all
),

support as (
    select
        created_month as month,
        count(*) as tickets,
        count(first_reply_minutes) as replied_tickets,
        median(first_reply_minutes) as median_first_reply_minutes,
        count(csat_score) as csat_ratings,
        {{ csat_pct('csat_score') }} as csat_pct
    from {{ ref('fct_support_tickets') }}
    group by all
),

survey as (
    select
        survey_month as month,
        count(*) as survey_responses,
        {{ engagement_index() }} as engagement_index,
        {{ nps('enps_score') }} as enps
    from {{ ref('stg_hr__engagement_responses') }}
    group by all
),

churn as (
    -- every customer belongs to one home-store group, so the groups add up to the business
    select
        month,
        cast(sum(active_at_start) as bigint) as churn_base_customers,
        cast(sum(churned) as bigint) as churned_customers,
        round(100.0 * sum(churned) / nullif(sum(active_at_start), 0), 2) as churn_rate_pct,
        max(threshold_days) as churn_threshold_days
    from {{ ref('kpi_churn_monthly') }}
    group by all
),

team as (
    select
        month,
        sum(headcount_end) as headcount_end,
        sum(leavers) as leavers,
        round(100.0 * sum(leavers) / nullif(sum(avg_headcount), 0), 2) as turnover_rate_pct,
        round(100.0 * sum(absence_hours) / nullif(sum(scheduled_hours) - sum(leave_hours), 0), 2)
            as absence_rate_pct,
        sum(leavers) as leavers_in_month,
        sum(avg_headcount) as avg_headcount
    from {{ ref('kpi_team_monthly') }}
    group by all
),

months as (
    -- every month with activity in any source (not only POS months)
    select distinct month from {{ ref('int_store_months_spined') }}
),

fiscal as (
    -- the business profile's first month of the financial year (1 when it has none)
    select coalesce(max(fiscal_year_start_month), 1) as start_month
    from {{ source('profile', 'business') }}
)

select
    months.month,
    {{ fiscal_year('months.month', '(select start_month from fiscal)') }} as fiscal_year,
    {{ fiscal_quarter('months.month', '(select start_month from fiscal)') }} as fiscal_quarter,
    sales.net_revenue,
    sales.payments,
    sales.active_customers,
    sales.average_ticket,
    coalesce(churn.churn_base_customers, 0) as churn_base_customers,
    coalesce(churn.churned_customers, 0) as churned_customers,
    churn.churn_rate_pct,
    churn.churn_threshold_days,
    coalesce(nps.nps_responses, 0) as nps_responses,
    -- withheld below the minimum number of responses, as on the Voice page
    case when nps.nps_responses >= cast({{ var('nps_min_n') }} as integer) then nps.nps end as nps,
    coalesce(support.tickets, 0) as tickets,
    coalesce(support.replied_tickets, 0) as replied_tickets,
    support.median_first_reply_minutes,
    coalesce(support.csat_ratings, 0) as csat_ratings,
    support.csat_pct,
    team.headcount_end,
    team.leavers,
    team.turnover_rate_pct,
    round(100.0 * sum(team.leavers_in_month) over w12 / nullif(avg(team.avg_headcount) over w12, 0), 2)
        as turnover_rate_12m_pct,
    team.absence_rate_pct,
    coalesce(survey.survey_responses, 0) as survey_responses,
    case when survey.survey_responses >= {{ var('min_group_size') }}
        then round(survey.engagement_index, 2) end as engagement_index,
    case when survey.survey_responses >= {{ var('min_group_size') }} then survey.enps end as enps
from months
left join sales using (month)
left join churn using (month)
left join nps using (month)
left join support using (month)
left join survey using (month)
left join team using (month)
window w12 as (order by months.month rows between 11 preceding and current row)
