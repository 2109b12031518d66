select count(*) as waiting, round(avg(days_waiting), 0) as avg_days_waiting from marts.rpt_follow_up
