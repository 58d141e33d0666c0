-- name: cost-by-model
-- answers: What did each model of each provider cost (calls, tokens, USD)?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
SELECT
  provider,
  model,
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
  AND model != ''
GROUP BY provider, model
ORDER BY cost_usd DESC, provider, model
