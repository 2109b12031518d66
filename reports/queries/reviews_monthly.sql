select
    month,
    sum(reviews) as reviews,
    round(sum(avg_stars * reviews) / sum(reviews), 2) as avg_stars,
    sum(negative_reviews) as negative_reviews,
    sum(answered_in_time) as answered_in_time,
    round(100.0 * sum(answered_in_time) / sum(reviews), 1) as answered_in_time_pct
from marts.kpi_reviews_monthly
group by month
order by month
