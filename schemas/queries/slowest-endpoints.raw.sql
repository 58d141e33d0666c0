-- name: slowest-endpoints.raw
-- answers: Which endpoints are slowest (by p95), with average and worst latency, from raw access rows?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), min_requests UInt32 = 1, limit UInt32 = 10, offset UInt32 = 0
SELECT
  service,
  method,
  route,
  count() AS requests,
  -- Summed in whole microseconds: an Int64 sum is exact in any order, a Float64 one is not (the last digit moved
  -- between runs as parts were read in another order).
  round(sum(toInt64(round(duration_ms * 1000))) / count() / 1000, 3) AS avg_ms,
  -- t-digest, the estimator the rollup stores, so both forms agree (as in endpoint-latency.raw).
  round(quantilesTDigest(0.5, 0.9, 0.95, 0.99)(duration_ms)[3], 3) AS p95_ms,
  round(max(duration_ms), 3) AS max_ms
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY service, method, route
HAVING requests >= {min_requests:UInt32}
ORDER BY p95_ms DESC, avg_ms DESC, service, method, route
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
