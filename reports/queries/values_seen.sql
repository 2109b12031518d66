select
    kind,
    value,
    case when is_new then 'new: not in config/business.yaml'
         else 'learned from the data (the profile lists none of this kind)' end as status,
    rows,
    sources,
    first_seen,
    last_seen
from marts.kpi_values_seen
where not is_in_profile
order by is_new desc, kind, rows desc, value
