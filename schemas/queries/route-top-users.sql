-- name: route-top-users
-- answers: For one endpoint, which signed-in users call it most, with their errors and last call?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), method String = '', route String, limit UInt32 = 10, offset UInt32 = 0
SELECT
  user_id,
  count() AS requests,
  countIf(status >= 500) AS errors,
  max(timestamp) AS last_seen
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND route = {route:String}
  AND ({method:String} = '' OR method = {method:String})
  AND user_id != ''
GROUP BY user_id
ORDER BY requests DESC, user_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
