-- name: user-top-endpoints
-- answers: Which endpoints does each user (or one user) use most?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), user String = '', limit UInt32 = 5
SELECT
  user_id,
  method,
  route,
  count() AS requests,
  max(timestamp) AS last_seen
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND user_id != ''
  AND ({user:String} = '' OR user_id = {user:String})
GROUP BY user_id, method, route
ORDER BY user_id, requests DESC, method, route
LIMIT {limit:UInt32} BY user_id
