-- Customer summaries up to the end of calibration, with purchases in the holdout period:
-- the input of the calibration fit and of the holdout check.
{{ clv_summary('calibration_end', with_holdout=true) }}
