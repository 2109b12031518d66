-- Landing files that were not loaded whole: rejected, unreadable, or of no known export format
-- (the message names the closest known formats), newest first.
select file_name, source, status, rows_read, rows_rejected, message, loaded_at
from marts.fct_ingested_files
where status in ('rejected', 'unreadable', 'unrecognised', 'refused')
order by loaded_at desc, file_name, source
limit 100
