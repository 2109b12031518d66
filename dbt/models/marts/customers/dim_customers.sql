with purchases as (
    select
        customer_key,
        min(transaction_date) filter (where not is_refund) as first_purchase_date,
        max(transaction_date) filter (where not is_refund) as last_purchase_date,
        count(*) filter (where not is_refund) as payments,
        sum(net_sales) as net_revenue
    from {{ ref('fct_pos_transactions') }}
    where customer_key is not null
    group by customer_key
)

select
    c.customer_key,
    c.signup_date,
    c.home_store_id,
    c.is_loyalty_member,
    p.first_purchase_date,
    p.last_purchase_date,
    coalesce(p.payments, 0) as payments,
    round(coalesce(p.net_revenue, 0), 2) as net_revenue
from {{ ref('stg_crm__customers') }} as c
left join purchases as p using (customer_key)
