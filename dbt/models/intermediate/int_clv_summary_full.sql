-- Customer summaries over the whole observation period: the input of the fit that scores
-- every customer.
{{ clv_summary('observation_end') }}
