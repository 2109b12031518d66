-- What was loaded from landing/, per file: the owner-facing view of data completeness.
select
    batch_id,
    source,
    file_name,
    rows_read,
    rows_loaded,
    rows_rejected,
    status,
    message,
    loaded_at
from {{ ref('stg_ingest__ledger') }}
