-- name: error-rate-spike
-- severity: critical
-- answers: A route whose 5xx rate jumped well above its own usual rate (a deploy broke it, a dependency is down).
-- params: now DateTime64(3, 'UTC'), threshold Float64 = 3, window_minutes UInt32 = 15, baseline_hours UInt32 = 24, min_errors UInt32 = 5, min_baseline_requests UInt32 = 20
-- Fires when, within the window, a route has at least min_errors 5xx and an error rate at least threshold times
-- its rate over the baseline hours before the window (a baseline under 1% counts as 1%, so a route that never
-- failed needs a real burst, not one error). A route needs min_baseline_requests before the window to have a
-- baseline at all: a new route, or one that only ever fails (a test endpoint), is not a spike against itself.
SELECT
  any(service) AS service,
  route AS subject,
  round(countIf(recent AND status >= 500) / countIf(recent), 4) AS value,
  toJSONString(map(
    'window_minutes', toString({window_minutes:UInt32}),
    'errors', toString(countIf(recent AND status >= 500)),
    'requests', toString(countIf(recent)),
    'baseline_rate', toString(round(countIf(NOT recent AND status >= 500) / greatest(countIf(NOT recent), 1), 4)))) AS details
FROM
(
  SELECT service, route, status, timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) AS recent
  FROM access_log
  WHERE timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) - toIntervalHour({baseline_hours:UInt32})
    AND timestamp < {now:DateTime64(3, 'UTC')}
)
GROUP BY route
HAVING countIf(recent AND status >= 500) >= {min_errors:UInt32}
  AND countIf(NOT recent) >= {min_baseline_requests:UInt32}
  AND value >= {threshold:Float64} * greatest(countIf(NOT recent AND status >= 500) / greatest(countIf(NOT recent), 1), 0.01)
