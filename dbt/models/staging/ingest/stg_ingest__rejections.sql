-- Every rejected row of every source, with the rule it broke (one rejected table per contract).
{%- set rejected = [] %}
{%- for node in graph.sources.values() if node.source_name == 'raw' and node.name.endswith('__rejected') %}
{%- do rejected.append(node.name) %}
{%- endfor %}
{%- for name in rejected | sort %}
select
    '{{ name | replace("__rejected", "") }}' as source,
    _batch_id as batch_id,
    _source_file as source_file,
    _row_number as row_number,
    _rule as rule,
    _column as column_name,
    _reason as reason,
    _loaded_at as loaded_at
from {{ source('raw', name) }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
