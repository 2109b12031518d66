select metric, count(*) filter (where sla_status = 'open_breached') as open_breached,
       count(*) filter (where sla_status = 'open_within_target') as open_within_target,
       max(as_of) as as_of
from marts.fct_support_ticket_slas
group by metric
order by metric
