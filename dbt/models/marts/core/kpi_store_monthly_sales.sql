-- Monthly sales per store. Net revenue counts payments and subtracts refunds in the month the
-- refund happens; active customers are distinct CRM customers with at least one payment.
with monthly as (
    select
        store_id,
        transaction_month as month,
        sum(net_sales) as net_revenue,
        sum(case when not is_refund then gross_sales else 0 end) as gross_sales,
        sum(case when not is_refund then discounts else 0 end) as discounts,
        -sum(case when is_refund then net_sales else 0 end) as refunds_amount,
        count(*) filter (where not is_refund) as payments,
        count(*) filter (where is_refund) as refunds,
        count(distinct customer_key) filter (where not is_refund) as active_customers,
        count(*) filter (where not is_refund and is_walk_in) as walk_in_payments
    from {{ ref('fct_pos_transactions') }}
    group by all
)

select
    s.store_id,
    s.month,
    round(coalesce(m.net_revenue, 0), 2) as net_revenue,
    round(coalesce(m.gross_sales, 0), 2) as gross_sales,
    round(coalesce(m.discounts, 0), 2) as discounts,
    round(coalesce(m.refunds_amount, 0), 2) as refunds_amount,
    coalesce(m.payments, 0) as payments,
    coalesce(m.refunds, 0) as refunds,
    coalesce(m.active_customers, 0) as active_customers,
    coalesce(m.walk_in_payments, 0) as walk_in_payments,
    round(m.net_revenue / nullif(m.payments, 0), 2) as average_ticket
from {{ ref('int_store_months_spined') }} as s
left join monthly as m using (store_id, month)
