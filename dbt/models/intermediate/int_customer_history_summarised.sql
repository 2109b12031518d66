-- Historical value of each CRM customer to date: payments, refunds, net revenue, margin.
select
    customer_key,
    min(transaction_date) filter (where not is_refund) as first_purchase_date,
    max(transaction_date) filter (where not is_refund) as last_purchase_date,
    count(*) filter (where not is_refund) as orders,
    count(distinct transaction_date) filter (where not is_refund) as purchase_days,
    sum(gross_sales) filter (where not is_refund) as gross_sales,
    coalesce(-sum(net_sales) filter (where is_refund), 0) as refunds,
    sum(net_sales) as net_revenue,
    -- margin only when every transaction of the customer carries its cost
    case when count(lines_cost) = count(*) then sum(net_sales) - sum(lines_cost) end as gross_margin
from {{ ref('fct_pos_transactions') }}
where customer_key is not null
group by customer_key
