-- name: cost-by-user.raw
-- answers: What did each user cost in external calls (tokens and USD), from raw rows?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 50, offset UInt32 = 0
-- Calls without a user are labelled (anonymous); cost_usd is the exact Decimal sum, unrounded.
SELECT
  if(user_id = '', '(anonymous)', user_id) AS user_id,
  count() AS calls,
  sum(input_tokens) AS input_tokens,
  sum(output_tokens) AS output_tokens,
  toFloat64(sum(ifNull(cost_usd, toDecimal64(0, 9)))) AS cost_usd,
  -- Model calls with no known price, not in cost_usd. external_calls.cost_usd: the column, not the alias above.
  countIf(external_calls.cost_usd IS NULL) AS unpriced_calls,
  -- Parts of input_tokens / output_tokens priced differently (migration 013): cached vs uncached input, reasoning output.
  sum(cache_read_tokens) AS cache_read_tokens,
  sum(cache_write_tokens) AS cache_write_tokens,
  sum(reasoning_tokens) AS reasoning_tokens
FROM external_calls
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
GROUP BY user_id
ORDER BY cost_usd DESC, user_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
