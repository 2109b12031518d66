-- One row per CRM customer and purchase day: several payments on one day count as one
-- transaction (the convention of the BG/NBD literature). Refunds are not purchases.
select
    customer_key,
    transaction_date,
    sum(net_sales) as day_value,
    count(*) as payments
from {{ ref('fct_pos_transactions') }}
where customer_key is not null and not is_refund
group by all
