-- name: recent-auth-events
-- answers: The latest authentication events, newest first, optionally for one user or event kind.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), user String = '', event String = '', limit UInt32 = 100, offset UInt32 = 0
SELECT
  timestamp,
  event,
  success,
  user_id,
  method,
  reason,
  replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip,
  user_agent
FROM auth_events
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({user:String} = '' OR user_id = {user:String})
  AND ({event:String} = '' OR event = {event:String})
ORDER BY timestamp DESC, span_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
