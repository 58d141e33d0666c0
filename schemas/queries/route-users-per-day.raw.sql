-- name: route-users-per-day.raw
-- answers: How many distinct signed-in users (and requests) did each endpoint have per UTC day, from raw access rows?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), route String = '', limit UInt32 = 1000, offset UInt32 = 0
-- uniq() of the user id, the sketch the rollup stores, so both forms agree at any size.
SELECT
  toDate(timestamp) AS day,
  service,
  method,
  route,
  uniq(nullIf(user_id, '')) AS unique_users,
  count() AS requests
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({route:String} = '' OR route = {route:String})
GROUP BY day, service, method, route
ORDER BY day, unique_users DESC, service, method, route
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
