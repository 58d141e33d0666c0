-- name: cost-per-day
-- answers: What did external calls cost per UTC day? Whole days from the daily rollup, partial days from raw rows.
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
-- source: rollup
-- Exact for any window: whole UTC days inside [from, to) from the rollup, the partial first and last day from raw
-- rows, their states merged (README: "Rollup and raw forms").
-- cost_usd is the exact Decimal sum, printed in full (no rounding: a call can cost less than a micro-dollar).
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start
SELECT
  key AS day,
  sum(part_calls) AS calls,
  sum(part_input_tokens) AS input_tokens,
  sum(part_output_tokens) AS output_tokens,
  toFloat64(sum(part_cost)) AS cost_usd,
  -- Model calls with no known price: their cost is not in cost_usd (migration 013).
  sum(part_unpriced) AS unpriced_calls,
  -- Parts of input_tokens / output_tokens priced differently (migration 013): cached vs uncached input, reasoning output.
  sum(part_cache_read) AS cache_read_tokens,
  sum(part_cache_write) AS cache_write_tokens,
  sum(part_reasoning) AS reasoning_tokens
FROM
(
  -- Summed here, so the engine reads the rollup's per-provider projection (migration 016), not every user's row.
  SELECT day AS key, sum(calls) AS part_calls, sum(unpriced_calls) AS part_unpriced, sum(input_tokens) AS part_input_tokens, sum(output_tokens) AS part_output_tokens,
    sum(cost_usd) AS part_cost, sum(cache_read_tokens) AS part_cache_read, sum(cache_write_tokens) AS part_cache_write, sum(reasoning_tokens) AS part_reasoning
  FROM external_cost_daily
  WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
  GROUP BY day
  UNION ALL
  SELECT toDate(timestamp), count(), countIf(cost_usd IS NULL), sum(input_tokens), sum(output_tokens), sum(ifNull(cost_usd, toDecimal64(0, 9))),
    sum(cache_read_tokens), sum(cache_write_tokens), sum(reasoning_tokens)
  FROM external_calls
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
  GROUP BY toDate(timestamp)
)
GROUP BY key
ORDER BY day
