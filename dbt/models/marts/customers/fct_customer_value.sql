-- One row per customer, known to the CRM or seen on a POS purchase (a business without a CRM
-- export, or whose CRM file was rejected, still has its customers' ids on receipts): historical
-- value to date, predicted value, churn status (by inactivity and by model) and RFM segment.
-- No names or contact details.
with history as (
    select * from {{ ref('int_customer_history_summarised') }}
),

customers as (
    select customer_key from {{ ref('stg_crm__customers') }}
    union
    select customer_key from history
),

threshold as (
    select * from {{ ref('int_churn_threshold_derived') }}
),

dates as (
    select * from {{ ref('int_clv_dates') }}
),

base as (
    select
        k.customer_key,
        c.home_store_id,
        c.signup_date,
        c.is_loyalty_member,
        h.first_purchase_date,
        h.last_purchase_date,
        {{ units_between('day', "h.first_purchase_date", "dates.observation_end") }} as tenure_days,
        {{ units_between('day', "h.last_purchase_date", "dates.observation_end") }} as days_since_last_purchase,
        coalesce(h.orders, 0) as orders,
        coalesce(h.purchase_days, 0) as purchase_days,
        round(coalesce(h.gross_sales, 0), 2) as gross_sales,
        round(coalesce(h.refunds, 0), 2) as refunds,
        round(coalesce(h.net_revenue, 0), 2) as historical_clv,
        round(h.gross_margin, 2) as historical_margin,
        round(h.net_revenue / nullif(h.orders, 0), 2) as average_order_value,
        clv.p_alive,
        clv.expected_purchases,
        clv.expected_transaction_value,
        clv.predicted_clv,
        threshold.threshold_days as churn_threshold_days
    from customers as k
    left join {{ ref('stg_crm__customers') }} as c using (customer_key)
    left join history as h using (customer_key)
    left join {{ ref('fct_customer_clv') }} as clv using (customer_key)
    cross join threshold
    cross join dates
),

scored as (
    select
        *,
        case when orders > 0 then ntile(5) over (partition by orders > 0 order by days_since_last_purchase desc, customer_key) end
            as recency_score,
        case when orders > 0 then ntile(5) over (partition by orders > 0 order by purchase_days, customer_key) end
            as frequency_score,
        case when orders > 0 then ntile(5) over (partition by orders > 0 order by historical_clv, customer_key) end
            as monetary_score
    from base
),

flagged as (
    select
        *,
        days_since_last_purchase > churn_threshold_days as is_churned_inactive,
        p_alive < cast({{ var('churn_p_alive_threshold') }} as double) as is_model_at_risk
    from scored
)

-- A segment never contradicts the churn figures: a customer silent past the churn threshold
-- or whose P(alive) is below the setting is in a slipping segment (Can't lose them, At risk,
-- Hibernating), however recent their score rank, never Champions, Loyal, New or Promising.
select
    *,
    case
        when orders = 0 then 'No purchase yet'
        when recency_score <= 2 or coalesce(is_churned_inactive, false)
            or coalesce(is_model_at_risk, false) then
            case
                when frequency_score >= 4 then 'Can' || chr(39) || 't lose them'  -- the apostrophe as chr(39): one text for DuckDB and Spark
                when frequency_score >= 2 then 'At risk'
                else 'Hibernating'
            end
        when recency_score >= 4 and frequency_score >= 4 then 'Champions'
        when recency_score >= 3 and frequency_score >= 3 then 'Loyal'
        when recency_score >= 4 and frequency_score <= 1 then 'New'
        when recency_score >= 4 then 'Promising'
        else 'Needs attention'
    end as rfm_segment
from flagged
