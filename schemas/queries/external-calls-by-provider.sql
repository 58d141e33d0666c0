-- name: external-calls-by-provider
-- answers: How many calls go to each external provider, how fast, how often they fail, and what they cost?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
SELECT
  provider,
  count() AS calls,
  -- Summed in whole microseconds: an Int64 sum is exact in any order, a Float64 one is not (the last digit moved
  -- between runs as parts were read in another order).
  round(sum(toInt64(round(duration_ms * 1000))) / count() / 1000, 3) AS avg_ms,
  -- t-digest, the latency estimator of every report (README: Definitions).
  round(quantilesTDigest(0.5, 0.9, 0.95, 0.99)(duration_ms)[3], 3) AS p95_ms,
  -- Errors as the external_cost_daily rollup counts them (migration 013): usage-only rows (recordUsage with no call)
  -- are never errors, nor is a tracked non-HTTP call for having no status.
  countIf(call_kind != 'usage' AND (status >= 400 OR error_message != '' OR (status = 0 AND method != ''))) AS errors,
  round(errors / count(), 4) AS error_ratio,
  -- Unrounded: an embedding call can cost $1.6e-7.
  toFloat64(sum(cost_usd)) AS cost_usd,
  -- external_calls.cost_usd: the column, not the cost_usd alias above.
  countIf(external_calls.cost_usd IS NULL) AS unpriced_calls
FROM external_calls
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY provider
ORDER BY calls DESC, provider
