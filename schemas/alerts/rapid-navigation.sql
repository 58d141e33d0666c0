-- name: rapid-navigation
-- severity: warning
-- answers: A session requesting pages faster than a person can (scraper, bot, scripted abuse).
-- params: now DateTime64(3, 'UTC'), threshold Float64 = 120, window_minutes UInt32 = 5
-- Fires when a session's busiest minute within the window has at least threshold requests.
SELECT
  any(service) AS service,
  session_id AS subject,
  toFloat64(max(per_minute)) AS value,
  toJSONString(map(
    'window_minutes', toString({window_minutes:UInt32}),
    'user_id', any(user),
    'requests', toString(sum(per_minute)))) AS details
FROM
(
  SELECT session_id, any(service) AS service, any(user_id) AS user, toStartOfMinute(timestamp) AS minute, count() AS per_minute
  FROM access_log
  WHERE timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) AND timestamp < {now:DateTime64(3, 'UTC')}
    AND session_id != ''
  GROUP BY session_id, minute
)
GROUP BY session_id
HAVING value >= {threshold:Float64}
