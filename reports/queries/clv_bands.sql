select
    case
        when predicted_clv < 5 then '0-5'
        when predicted_clv < 20 then '5-20'
        when predicted_clv < 50 then '20-50'
        when predicted_clv < 100 then '50-100'
        when predicted_clv < 200 then '100-200'
        else '200+'
    end as band,
    min(predicted_clv) as band_order,
    count(*) as customers
from marts.fct_customer_value
where predicted_clv is not null
group by band
order by band_order
