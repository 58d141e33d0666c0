-- name: recent-activity
-- answers: The latest requests, newest first, optionally filtered by user, route (or path prefix) and minimum status.
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), user String = '', route String = '', min_status UInt16 = 0, limit UInt32 = 100, offset UInt32 = 0
SELECT
  timestamp,
  user_id,
  session_id,
  method,
  path,
  route,
  status,
  duration_ms,
  replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip,
  user_agent,
  browser,
  device_type
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND ({user:String} = '' OR user_id = {user:String})
  AND ({route:String} = '' OR route = {route:String} OR startsWith(path, {route:String}))
  AND status >= {min_status:UInt16}
ORDER BY timestamp DESC, span_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
