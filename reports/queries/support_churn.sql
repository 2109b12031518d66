-- in the order the chart's caption reads them: bad support, fine support, then no contact
select * from marts.kpi_support_churn
order by case customer_group
    when 'after a bad support experience' then 1
    when 'support contacts all fine' then 2
    else 3 end
