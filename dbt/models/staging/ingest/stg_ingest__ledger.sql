select
    batch_id,
    source,
    file_name,
    file_bytes,
    rows_read,
    rows_loaded,
    rows_rejected,
    status,
    message,
    loaded_at
from {{ source('ingest', 'ingest_ledger') }}
