select
    rfm_segment,
    count(*) as customers,
    round(avg(historical_clv), 2) as avg_historical_clv,
    round(avg(cast(predicted_clv as decimal(18, 2))), 2) as avg_predicted_clv,
    round(avg(cast(p_alive as decimal(18, 12))), 2) as avg_p_alive
from marts.fct_customer_value
where orders > 0
group by rfm_segment
order by avg_historical_clv desc, rfm_segment
