-- name: top-routes.raw
-- answers: Which endpoints are the most popular (requests, unique users, errors), read from raw access rows?
-- params: service String = '', from DateTime64(3), to DateTime64(3), limit UInt32 = 20
SELECT
  service,
  method,
  route,
  count() AS requests,
  uniqIf(user_key, user_key != 0) AS unique_users,
  countIf(status >= 500) AS errors
FROM access_log
WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY service, method, route
ORDER BY requests DESC, service, method, route
LIMIT {limit:UInt32}
