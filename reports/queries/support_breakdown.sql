select * from marts.kpi_support_breakdown order by breakdown, month, channel, agent_key
