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
  countIf(status >= 400 OR status = 0) AS errors,
  round(countIf(status >= 400 OR status = 0) / count(), 4) AS error_ratio,
  round(toFloat64(sum(cost_usd)), 6) AS cost_usd
FROM external_calls
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY provider
ORDER BY calls DESC, provider
