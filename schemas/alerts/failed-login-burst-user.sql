-- name: failed-login-burst-user
-- severity: warning
-- answers: One account failing to log in again and again, from one or many addresses (brute force on an account).
-- params: now DateTime64(3, 'UTC'), threshold Float64 = 5, window_minutes UInt32 = 10
SELECT
  any(service) AS service,
  user_id AS subject,
  toFloat64(count()) AS value,
  toJSONString(map(
    'window_minutes', toString({window_minutes:UInt32}),
    'ips', toString(uniqExact(client_ip)),
    'first_seen', toString(min(timestamp)),
    'last_seen', toString(max(timestamp)))) AS details
FROM auth_events
WHERE timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) AND timestamp < {now:DateTime64(3, 'UTC')}
  AND (event = 'login_failed' OR (event = 'login' AND NOT success))
  AND user_id != ''
GROUP BY user_id
HAVING value >= {threshold:Float64}
