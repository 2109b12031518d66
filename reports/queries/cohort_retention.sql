select cohort_month, months_since_first, customer_retention_pct, cohort_size
from marts.kpi_cohort_retention
order by cohort_month, months_since_first
