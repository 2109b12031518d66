select t.month, s.store_name, t.engagement_index, t.survey_responses, t.is_engagement_suppressed
from marts.kpi_team_monthly as t
join marts.dim_stores as s using (store_id)
order by t.month, s.store_name
