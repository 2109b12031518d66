select
    source,
    count(*) as files,
    sum(rows_read) as rows_read,
    sum(rows_loaded) as rows_loaded,
    sum(rows_rejected) as rows_rejected,
    count(*) filter (where status in ('rejected', 'unreadable', 'unrecognised', 'refused')) as files_rejected,
    max(loaded_at) as last_loaded_at
from marts.fct_ingested_files
group by source
order by source
