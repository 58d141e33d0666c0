-- name: route-slowest-requests
-- answers: For one endpoint, which requests of the window were the slowest, by whom?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), method String = '', route String, limit UInt32 = 10, offset UInt32 = 0
SELECT
  timestamp,
  user_id,
  session_id,
  method,
  path,
  status,
  duration_ms
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND route = {route:String}
  AND ({method:String} = '' OR method = {method:String})
ORDER BY duration_ms DESC, timestamp DESC, span_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
