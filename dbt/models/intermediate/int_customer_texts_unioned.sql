-- Every customer text, one row each: NPS comments, tickets (subject and description), CSAT
-- comments and online reviews (title and text), with the customer, store and time they belong to. The one place the texts are
-- gathered: the text scoring (dagster_project/text/runs.py) reads it, and
-- fct_customer_texts joins the scores back to it.
select
    'nps_comment' as source, response_id as text_id, customer_key, store_id,
    responded_at as text_at, score as nps_score, comment as text
from {{ ref('stg_nps__responses') }}
where comment is not null
union all
select
    'ticket', ticket_id, customer_key, store_id, created_at, null,
    concat_ws('. ', subject, description)
from {{ ref('stg_support__tickets') }}
where coalesce(subject, description) is not null
union all
select
    'csat_comment', ticket_id, customer_key, store_id, coalesce(solved_at, created_at), null,
    csat_comment
from {{ ref('stg_support__tickets') }}
where csat_comment is not null
union all
select
    'review', review_id, null, store_id, created_at, null, concat_ws('. ', title, review_text)
from {{ ref('stg_reviews__reviews') }}
where coalesce(title, review_text) is not null
