-- name: failed-logins-by-user
-- answers: Which accounts have the most failed logins, from how many addresses (credential stuffing, brute force)?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), min_failures UInt32 = 1, limit UInt32 = 50, offset UInt32 = 0
SELECT
  user_id,
  count() AS failures,
  uniqExact(client_ip) AS distinct_ips,
  min(timestamp) AS first_seen,
  max(timestamp) AS last_seen
FROM auth_events
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND (event = 'login_failed' OR (event = 'login' AND NOT success))
  AND user_id != ''
GROUP BY user_id
HAVING failures >= {min_failures:UInt32}
ORDER BY failures DESC, user_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
