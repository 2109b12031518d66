-- Per source: files and rows loaded and rejected, the latest file, and how fresh it is.
with files as (
    select
        source,
        count(*) as files,
        count(*) filter (where status in ('rejected', 'unreadable', 'unrecognised', 'refused')) as files_rejected,
        count(*) filter (where status = 'duplicate') as files_duplicate,
        sum(rows_read) as rows_read,
        sum(rows_loaded) as rows_loaded,
        sum(rows_rejected) as rows_rejected,
        max(loaded_at) as last_loaded_at,
        {{ arg_max("file_name", "batch_id") }} as last_file
    from {{ ref('stg_ingest__ledger') }}
    group by source
)

select
    *,
    round(100.0 * rows_rejected / nullif(rows_read, 0), 3) as rejected_pct
from files
