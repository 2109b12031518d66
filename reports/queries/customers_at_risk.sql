select customer_name, email, phone, home_store_id, last_purchase_date, days_since_last_purchase,
       orders, historical_clv, predicted_clv, p_alive, rfm_segment,
       round(churn_risk, 3) as churn_risk, churn_reasons
from marts.rpt_customers_at_risk
order by historical_clv desc, customer_key

