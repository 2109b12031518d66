-- Rejected rows by source, column and rule, with an example reason.
select
    source,
    column_name,
    rule,
    count(*) as rows_rejected,
    count(distinct source_file) as files,
    min(reason) as example_reason,
    min(source_file || ' row ' || row_number) as example_row
from {{ ref('stg_ingest__rejections') }}
group by source, column_name, rule
