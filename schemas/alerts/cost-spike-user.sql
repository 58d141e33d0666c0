-- name: cost-spike-user
-- severity: warning
-- answers: External-call spending of one user far above its usual hourly cost (runaway loop, abuse of a paid API).
-- params: now DateTime64(3, 'UTC'), threshold Float64 = 5, window_minutes UInt32 = 60, baseline_days UInt32 = 7, min_cost_usd Float64 = 1
-- Fires when the cost within the window is at least min_cost_usd and at least threshold times the average cost
-- of a window of the same length over the baseline days before it.
SELECT
  any(service) AS service,
  user_id AS subject,
  round(toFloat64(sumIf(cost_usd, recent)), 6) AS value,
  toJSONString(map(
    'window_minutes', toString({window_minutes:UInt32}),
    'calls', toString(countIf(recent)),
    'baseline_per_window', toString(round(toFloat64(sumIf(cost_usd, NOT recent)) * {window_minutes:UInt32} / ({baseline_days:UInt32} * 1440), 6)))) AS details
FROM
(
  SELECT service, user_id, cost_usd, timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) AS recent
  FROM external_calls
  WHERE timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) - toIntervalDay({baseline_days:UInt32})
    AND timestamp < {now:DateTime64(3, 'UTC')}
    AND user_id != ''
)
GROUP BY subject
HAVING value >= {min_cost_usd:Float64}
  AND value >= {threshold:Float64} * toFloat64(sumIf(cost_usd, NOT recent)) * {window_minutes:UInt32} / ({baseline_days:UInt32} * 1440)
