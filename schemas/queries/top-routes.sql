-- name: top-routes
-- answers: Which endpoints are the most popular (requests, unique users, errors), read from the daily rollup?
-- params: service String = '', from DateTime64(3), to DateTime64(3), limit UInt32 = 20
-- source: rollup
-- Reads the daily rollup: the window counts every whole day it touches (the .raw form is exact to the millisecond).
SELECT
  service,
  method,
  route,
  sum(requests) AS requests,
  uniqMerge(users) AS unique_users,
  sum(errors) AS errors
FROM access_route_daily
WHERE day >= toDate({from:DateTime64(3)}) AND day <= toDate({to:DateTime64(3)} - INTERVAL 1 MILLISECOND)
  AND ({service:String} = '' OR service = {service:String})
GROUP BY service, method, route
ORDER BY requests DESC, service, method, route
LIMIT {limit:UInt32}
