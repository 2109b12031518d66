select b.*, a.agent_name
from marts.kpi_support_breakdown as b
left join marts.dim_agents as a using (agent_key)
order by b.breakdown, b.month, b.channel, a.agent_name, b.agent_key
