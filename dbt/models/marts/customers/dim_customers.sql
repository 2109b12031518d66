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
),

customers as (
    -- known to the CRM, or seen on a POS purchase only
    select customer_key from {{ ref('stg_crm__customers') }}
    union
    select customer_key from purchases
)

select
    k.customer_key,
    c.signup_date,
    c.home_store_id,
    c.is_loyalty_member,
    p.first_purchase_date,
    p.last_purchase_date,
    coalesce(p.payments, 0) as payments,
    round(coalesce(p.net_revenue, 0), 2) as net_revenue
from customers as k
left join {{ ref('stg_crm__customers') }} as c using (customer_key)
left join purchases as p using (customer_key)
