-- name: endpoint-latency.raw
-- answers: What are p50/p95/p99 latency and the error ratio of each endpoint, from raw access rows?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), route String = '', limit UInt32 = 50, offset UInt32 = 0
SELECT
  service,
  method,
  route,
  count() AS requests,
  -- t-digest, the estimator the rollup stores, so both forms agree; exact up to a few hundred values per route.
  round(quantilesTDigest(0.5, 0.9, 0.95, 0.99)(duration_ms)[1], 3) AS p50_ms,
  round(quantilesTDigest(0.5, 0.9, 0.95, 0.99)(duration_ms)[3], 3) AS p95_ms,
  round(quantilesTDigest(0.5, 0.9, 0.95, 0.99)(duration_ms)[4], 3) AS p99_ms,
  countIf(status >= 500) AS errors,
  round(countIf(status >= 500) / count(), 4) AS error_ratio
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND ({route:String} = '' OR route = {route:String})
GROUP BY service, method, route
ORDER BY requests DESC, service, method, route
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
