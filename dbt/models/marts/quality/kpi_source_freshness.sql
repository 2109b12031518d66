-- How recent each source's data is: the latest date of a business event in its loaded rows
-- (a sale, a response, a ticket, a hire or leave, an absence), so the report can say how old
-- its figures are and flag a source that stopped arriving. Sources without loaded rows are
-- absent. latest_file_loaded_at is when a file of the source last arrived; the cadence and the
-- late flag come from the contract's slaProperties as checked by the refresh
-- (raw.source_arrivals, dagster_project/quality/freshness.py).
with events as (
    select 'pos_transactions' as source, max(transaction_date) as last_data_date, count(*) as rows
    from {{ ref('stg_pos__transactions') }}
    union all
    select 'pos_line_items', max(t.transaction_date), count(*)
    from {{ ref('stg_pos__line_items') }} as l
    left join {{ ref('stg_pos__transactions') }} as t using (transaction_id)
    union all
    select 'crm_customers', max(signup_date), count(*) from {{ ref('stg_crm__customers') }}
    union all
    select 'nps_responses', max(cast(responded_at as date)), count(*) from {{ ref('stg_nps__responses') }}
    union all
    select 'support_tickets', max(cast(created_at as date)), count(*) from {{ ref('stg_support__tickets') }}
    union all
    select 'hr_employees', max(greatest(hire_date, coalesce(termination_date, hire_date))), count(*)
    from {{ ref('stg_hr__employees') }}
    union all
    select 'hr_engagement_responses', max(survey_month), count(*) from {{ ref('stg_hr__engagement_responses') }}
    union all
    select 'hr_absences', max(end_date), count(*) from {{ ref('stg_hr__absences') }}
),

files as (
    select source, max(loaded_at) as latest_file_loaded_at
    from {{ ref('stg_ingest__ledger') }}
    where rows_loaded > 0
    group by source
)

select
    events.source,
    events.last_data_date,
    events.rows,
    files.latest_file_loaded_at,
    arrivals.expected_every_days,
    arrivals.late_after_days,
    coalesce(arrivals.is_late, false) as is_late
from events
left join files using (source)
left join {{ source('ingest', 'source_arrivals') }} as arrivals using (source)
where events.rows > 0
