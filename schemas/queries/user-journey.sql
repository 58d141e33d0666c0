-- name: user-journey
-- answers: What did one session (or one user) do, request by request, in order? Without either: the latest session.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), session String = '', user String = '', limit UInt32 = 500, offset UInt32 = 0
SELECT
  timestamp,
  session_id,
  user_id,
  method,
  path,
  route,
  status,
  duration_ms
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({session:String} = '' OR session_id = {session:String})
  AND ({user:String} = '' OR user_id = {user:String})
  AND ({session:String} != '' OR {user:String} != '' OR session_id IN (
      SELECT argMax(session_id, timestamp) FROM access_log
      WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
        AND ({service:String} = '' OR service = {service:String})
        AND session_id != ''))
ORDER BY timestamp, span_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
