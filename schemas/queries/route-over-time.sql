-- name: route-over-time
-- answers: For one endpoint, how many requests and errors per time bucket, and how fast (p50/p95/p99)?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), method String = '', route String, bucket_minutes UInt32 = 60
SELECT
  -- Buckets counted from Monday 1970-01-05 as in throughput, so a 10080-minute bucket is an ISO week.
  toDateTime(intDiv(toUnixTimestamp(timestamp) - 345600, {bucket_minutes:UInt32} * 60) * {bucket_minutes:UInt32} * 60 + 345600, 'UTC') AS bucket,
  count() AS requests,
  countIf(status >= 500) AS errors,
  countIf(status >= 400 AND status < 500) AS client_errors,
  -- t-digest, the latency estimator of every report (README: Definitions).
  round(quantilesTDigest(0.5, 0.95, 0.99)(duration_ms)[1], 3) AS p50_ms,
  round(quantilesTDigest(0.5, 0.95, 0.99)(duration_ms)[2], 3) AS p95_ms,
  round(quantilesTDigest(0.5, 0.95, 0.99)(duration_ms)[3], 3) AS p99_ms
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND route = {route:String}
  AND ({method:String} = '' OR method = {method:String})
GROUP BY bucket
ORDER BY bucket
