-- name: unpriced-calls
-- answers: Which model calls have no cost because no price is known for their model (newest first)?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 50, offset UInt32 = 0
-- cost_usd IS NULL is "nobody could price it" (migration 013); a call with no tokens costs 0 and is not listed.
SELECT
  timestamp,
  user_id,
  session_id,
  provider,
  model,
  input_tokens,
  output_tokens
FROM external_calls
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND cost_usd IS NULL
ORDER BY timestamp DESC, span_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
