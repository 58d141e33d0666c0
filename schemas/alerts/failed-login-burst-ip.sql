-- name: failed-login-burst-ip
-- severity: critical
-- answers: One client address failing to log in again and again (password guessing, credential stuffing).
-- params: now DateTime64(3, 'UTC'), threshold Float64 = 10, window_minutes UInt32 = 10
-- Fires when the failed logins from one IP within the window reach the threshold.
SELECT
  any(service) AS service,
  replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS subject,
  toFloat64(count()) AS value,
  toJSONString(map(
    'window_minutes', toString({window_minutes:UInt32}),
    'accounts', toString(uniqExact(user_id)),
    'first_seen', toString(min(timestamp)),
    'last_seen', toString(max(timestamp)))) AS details
FROM auth_events
WHERE timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) AND timestamp < {now:DateTime64(3, 'UTC')}
  AND (event = 'login_failed' OR (event = 'login' AND NOT success))
  AND client_ip != toIPv6('::')
GROUP BY client_ip
HAVING value >= {threshold:Float64}
