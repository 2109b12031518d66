{#- Generic test on the ingest ledger: every row read is loaded or rejected. -#}
{% test rows_accounted_for(model) %}
select batch_id, file_name, rows_read, rows_loaded, rows_rejected
from {{ model }}
where rows_read <> rows_loaded + rows_rejected
{% endtest %}
