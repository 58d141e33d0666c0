-- name: concurrent-sessions
-- severity: warning
-- answers: One user active from several client addresses at once (a shared or stolen account).
-- params: now DateTime64(3, 'UTC'), threshold Float64 = 3, window_minutes UInt32 = 15
-- Fires when the distinct IPs one user made requests from within the window reach the threshold.
SELECT
  any(service) AS service,
  user_id AS subject,
  toFloat64(uniqExact(client_ip)) AS value,
  toJSONString(map(
    'window_minutes', toString({window_minutes:UInt32}),
    'sessions', toString(uniqExact(session_id)),
    'ips', arrayStringConcat(arraySort(groupUniqArray(10)(replaceRegexpOne(toString(client_ip), '^::ffff:', ''))), ' '))) AS details
FROM access_log
WHERE timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) AND timestamp < {now:DateTime64(3, 'UTC')}
  AND user_id != ''
  AND client_ip != toIPv6('::')
GROUP BY user_id
HAVING value >= {threshold:Float64}
