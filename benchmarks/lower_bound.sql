-- The lower bound of a full refresh: the heavy marts computed by DuckDB alone, straight from the
-- landing files, with none of the pipeline around it (no contract validation, no rejected rows,
-- no ledger, no quality checks, no CLV model fits, no report). Rows DuckDB cannot read as typed
-- (the planted bad rows) are skipped (ignore_errors). `{landing}` is the landing folder.
-- Latest file wins per key, as in the warehouse (files load in name order).

create table pos_transactions as
select * exclude (filename)
from read_csv('{landing}/pos_transactions/*.csv', header = true, filename = true, ignore_errors = true,
              types = {'gross_sales': 'decimal(12,2)', 'discounts': 'decimal(12,2)',
                       'net_sales': 'decimal(12,2)', 'tax': 'decimal(12,2)'})
qualify row_number() over (partition by transaction_id order by filename desc) = 1;

create table pos_line_items as
select * exclude (filename)
from read_csv('{landing}/pos_line_items/*.csv', header = true, filename = true, ignore_errors = true,
              types = {'quantity': 'decimal(10,2)', 'unit_price': 'decimal(12,2)',
                       'discount': 'decimal(12,2)', 'net_sales': 'decimal(12,2)',
                       'unit_cost': 'decimal(12,2)'})
qualify row_number() over (partition by line_item_id order by filename desc) = 1;

create table crm_customers as
select * exclude (filename)
from read_csv('{landing}/crm_customers/*.csv', header = true, filename = true, ignore_errors = true)
qualify row_number() over (partition by customer_id order by filename desc) = 1;

create table fct_pos_transactions as
with lines as (
    select transaction_id, count(*) as lines, sum(quantity) as item_units,
           sum(net_sales) as lines_net_sales, sum(quantity * unit_cost) as lines_cost
    from pos_line_items group by all
)
select t.transaction_id, t.transaction_at, cast(t.transaction_at as date) as transaction_date,
       cast(date_trunc('month', t.transaction_at) as date) as transaction_month, t.store_id,
       left(sha256('salt|' || t.customer_id), 20) as customer_key, t.customer_id is null as is_walk_in,
       t.event_type = 'refund' as is_refund, t.payment_method, t.gross_sales, t.discounts,
       t.net_sales, t.tax, t.refund_of_transaction_id, l.lines, l.item_units, l.lines_net_sales,
       l.lines_cost
from pos_transactions t left join lines l using (transaction_id);

create table kpi_store_monthly_sales as
select store_id, transaction_month as month, sum(net_sales) as net_revenue,
       sum(gross_sales) as gross_sales, sum(discounts) as discounts,
       count(*) filter (where not is_refund) as payments, count(*) filter (where is_refund) as refunds,
       count(distinct customer_key) filter (where not is_refund) as active_customers
from fct_pos_transactions group by all;

create table customer_days as
select customer_key, transaction_date, sum(net_sales) as day_value
from fct_pos_transactions where customer_key is not null and not is_refund group by all;

create table clv_summary as
select customer_key, count(*) - 1 as frequency,
       date_diff('day', min(transaction_date), max(transaction_date)) / 7.0 as recency_weeks,
       date_diff('day', min(transaction_date), date '2026-10-31') / 7.0 as t_weeks,
       avg(day_value) as monetary_value
from customer_days group by all;

create table dim_customers as
select left(sha256('salt|' || c.customer_id), 20) as customer_key, c.signup_date, c.home_store,
       c.loyalty_member, min(d.transaction_date) as first_purchase_date,
       max(d.transaction_date) as last_purchase_date, count(d.transaction_date) as purchase_days,
       sum(d.day_value) as net_revenue
from crm_customers c left join customer_days d
  on d.customer_key = left(sha256('salt|' || c.customer_id), 20)
group by all;

create table kpi_nps_monthly as
select store_id, cast(date_trunc('month', responded_at) as date) as month, count(*) as responses,
       round(100.0 * (count(*) filter (where score >= 9) - count(*) filter (where score <= 6))
             / count(*), 1) as nps
from (select * exclude (filename)
      from read_csv('{landing}/nps_responses/*.csv', header = true, filename = true, ignore_errors = true)
      qualify row_number() over (partition by response_id order by filename desc) = 1)
group by all;

create table kpi_support_monthly as
select cast(date_trunc('month', created_at) as date) as month, count(*) as tickets,
       median(date_diff('minute', created_at, first_reply_at)) as median_first_reply_minutes,
       count(csat_score) as csat_ratings,
       round(100.0 * count(*) filter (where csat_score >= 4) / nullif(count(csat_score), 0), 1) as csat_pct
from (select * exclude (filename)
      from read_csv('{landing}/support_tickets/*.csv', header = true, filename = true, ignore_errors = true)
      qualify row_number() over (partition by ticket_id order by filename desc) = 1)
group by all;

create table kpi_team_monthly as
with employees as (
    select * exclude (filename)
    from read_csv('{landing}/hr_employees/*.csv', header = true, filename = true, ignore_errors = true)
    qualify row_number() over (partition by employee_id order by filename desc) = 1
)
select e.store_id, cast(date_trunc('month', a.absence_date) as date) as month,
       sum(a.hours) as absence_hours, sum(a.scheduled_hours) as scheduled_hours
from read_csv('{landing}/hr_absences/*.csv', header = true, ignore_errors = true) a
join employees e using (employee_id)
group by all;
