-- name: endpoint-latency
-- answers: What are p50/p95/p99 latency and the error rate of each endpoint, read from the daily rollup?
-- params: service String = '', from DateTime64(3), to DateTime64(3), route String = '', limit UInt32 = 50
-- source: rollup
-- Reads the daily rollup: the window counts every whole day it touches (the .raw form is exact to the millisecond).
SELECT
  service,
  method,
  route,
  sum(requests) AS requests,
  round(quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(duration_ms_quantiles)[1], 3) AS p50_ms,
  round(quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(duration_ms_quantiles)[3], 3) AS p95_ms,
  round(quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(duration_ms_quantiles)[4], 3) AS p99_ms,
  sum(errors) AS errors,
  round(errors / requests, 4) AS error_rate
FROM access_route_daily
WHERE day >= toDate({from:DateTime64(3)}) AND day <= toDate({to:DateTime64(3)} - INTERVAL 1 MILLISECOND)
  AND ({service:String} = '' OR service = {service:String})
  AND ({route:String} = '' OR route = {route:String})
GROUP BY service, method, route
ORDER BY requests DESC, service, method, route
LIMIT {limit:UInt32}
