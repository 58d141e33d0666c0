-- name: slowest-endpoints
-- answers: Which endpoints are slowest (by p95), with average and worst latency, read from the daily rollup?
-- params: service String = '', from DateTime64(3), to DateTime64(3), min_requests UInt32 = 1, limit UInt32 = 10
-- source: rollup
-- Reads the daily rollup: the window counts every whole day it touches (the .raw form is exact to the millisecond).
-- max_ms counts from migration 011 on (days rolled up before it have 0 there).
SELECT
  service,
  method,
  route,
  sum(requests) AS requests,
  round(sum(duration_ms_sum) / requests, 3) AS avg_ms,
  round(quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(duration_ms_quantiles)[3], 3) AS p95_ms,
  round(max(duration_ms_max), 3) AS max_ms
FROM access_route_daily
WHERE day >= toDate({from:DateTime64(3)}) AND day <= toDate({to:DateTime64(3)} - INTERVAL 1 MILLISECOND)
  AND ({service:String} = '' OR service = {service:String})
GROUP BY service, method, route
HAVING requests >= {min_requests:UInt32}
ORDER BY p95_ms DESC, avg_ms DESC, service, method, route
LIMIT {limit:UInt32}
