-- name: top-routes.raw
-- answers: Which endpoints are the most popular (requests, unique users, errors), read from raw access rows?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 20, offset UInt32 = 0
-- uniq() of the user id, the sketch the rollup stores, so both forms agree at any size.
SELECT
  service,
  method,
  route,
  count() AS requests,
  uniq(nullIf(user_id, '')) AS unique_users,
  countIf(status >= 500) AS errors
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY service, method, route
ORDER BY requests DESC, service, method, route
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
