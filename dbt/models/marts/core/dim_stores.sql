select
    store_id,
    array_to_string(list_transform(string_split(store_id, '_'), lambda w: upper(w[1]) || w[2:]), ' ')
        as store_name,
    min(month) as first_month,
    max(month) as last_month
from {{ ref('int_store_months_spined') }}
group by store_id
