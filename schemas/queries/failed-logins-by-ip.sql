-- name: failed-logins-by-ip
-- answers: Which client addresses have the most failed logins, against how many accounts (abuse detection)?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), min_failures UInt32 = 1, limit UInt32 = 50, offset UInt32 = 0
SELECT
  replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip,
  count() AS failures,
  uniqExactIf(user_id, user_id != '') AS distinct_users,
  min(timestamp) AS first_seen,
  max(timestamp) AS last_seen
FROM auth_events
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND (event = 'login_failed' OR (event = 'login' AND NOT success))
GROUP BY client_ip
HAVING failures >= {min_failures:UInt32}
ORDER BY failures DESC, ip
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
